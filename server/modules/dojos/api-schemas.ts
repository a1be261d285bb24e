import { z } from 'zod';
import { ROOM_STATUS } from '../../../protocol/dojo.ts';

/** Request and response shapes of the dojo endpoints; the same schemas validate and document. */
const uuid = z.uuid();
const NO_CONTROL = /^[^\p{Cc}\p{Cf}]*$/u;
export const MAX_MEMBERS = 50;

/** A date (`2025-03-01`, midnight UTC) or a date-time with offset; both read as an instant. */
const instant = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()])
  .describe('ISO 8601 date or date-time');

export { problemBodySchema as problem, errorResponse as err } from '../../http/problem.ts';

export const createBody = z.strictObject({
  dojoDate: instant,
  members: z
    .array(uuid)
    .max(MAX_MEMBERS)
    .describe(`User ids of the caller's tenant (the caller is added as host); at most ${MAX_MEMBERS}`),
  subject: z.string().trim().min(1).max(50).regex(NO_CONTROL, 'Must not contain control characters'),
});
export const createResponse = z.object({ dojoId: uuid });

export const listQuery = z.strictObject({
  from: instant.optional().describe('Earliest dojoDate (inclusive); a date means its first instant'),
  to: instant.optional().describe('Latest dojoDate (inclusive); a date means its whole day'),
});

const listed = z.object({ dojoId: uuid, subject: z.string(), dojoDate: z.iso.datetime(), hostId: uuid });
export const listResponse = z.object({ dojos: z.array(listed) });

export const dojoParams = z.strictObject({ dojoId: uuid });

const chapter = z.object({
  at: z.number().describe('Seconds from the start of the recording'),
  title: z.string(),
  pilotId: uuid,
});
export const recording = z.object({
  recordingId: uuid,
  status: z
    .enum(['RECORDING', 'PROCESSING', 'READY', 'FAILED'])
    .describe('RECORDING while the room records, PROCESSING while a worker composes the MP4, then READY'),
  startedAt: z.iso.datetime(),
  url: z.string().optional().describe('The MP4 (READY only): a link that expires after an hour'),
  durationSec: z.number().optional(),
  chapters: z.array(chapter).describe('One per pilot turn (READY only)'),
  progress: z.number().int().min(0).max(100).optional().describe('While PROCESSING'),
});
export const dojoResponse = z.object({
  dojoId: uuid,
  subject: z.string(),
  dojoDate: z.iso.datetime(),
  hostId: uuid,
  members: z.array(uuid),
  status: z.enum(ROOM_STATUS),
  created: z.iso.datetime(),
  recordings: z.array(recording).describe('Newest first'),
});

export const dojoIdBody = z.strictObject({ dojoId: uuid });
export const startResponse = z.object({ success: z.literal(true) });
export const stopResponse = z.object({
  success: z.literal(true),
  recordingId: uuid.nullable().describe('The recording just stopped; null when none was running'),
});

export const replayQuery = z.strictObject({
  recordingId: uuid.optional().describe('Default: the latest recording of the dojo'),
});
const at = z.number().describe("Seconds on the recording's clock");
export const replayResponse = z.object({
  recordingId: uuid,
  events: z.array(
    z.discriminatedUnion('type', [
      z.object({ at, type: z.literal('code'), text: z.string(), language: z.string().optional() }),
      z.object({ at, type: z.literal('chat'), userId: uuid, text: z.string() }),
      z.object({ at, type: z.literal('rotate'), pilotId: z.string(), copilotId: z.string() }),
    ]),
  ),
});

export const messagesQuery = z.strictObject({
  roomId: uuid.describe('The dojo id'),
  userId: uuid.optional().describe("Only this author's messages"),
});
export const message = z.object({
  messageId: uuid,
  roomId: uuid,
  userId: uuid,
  text: z.string(),
  created: z.iso.datetime(),
});
export const messagesResponse = z.object({ messages: z.array(message) });

export const removeBody = z.strictObject({ messageIds: z.array(uuid).min(1).max(100) });
export const removeResponse = z.object({ success: z.literal(true), removed: z.number().int().min(0) });
