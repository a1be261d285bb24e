/**
 * The live dojo room's state (the shared truth every client mirrors), as `@colyseus/schema` classes defined
 * without decorators so Node's type stripping runs them as they are. Field names are the API contract's.
 */
import { schema, t, type SchemaType } from '@colyseus/schema';

export const Participant = schema(
  {
    userId: t.string().default(''),
    name: t.string().default(''),
    /** `host`, `pilot`, `copilot` or `audience`: the rotation role wins over `host` (see `hostId`). */
    role: t.string().default(''),
    connected: t.boolean().default(false),
  },
  'Participant',
);
export type Participant = SchemaType<typeof Participant>;

export const ChatEntry = schema(
  {
    id: t.string().default(''),
    userId: t.string().default(''),
    text: t.string().default(''),
    /** ISO 8601 UTC. */
    created: t.string().default(''),
  },
  'ChatEntry',
);
export type ChatEntry = SchemaType<typeof ChatEntry>;

/** Whether a participant in a media session sends audio and video now (false when muted). */
export const MediaTracks = schema(
  {
    audio: t.boolean().default(false),
    video: t.boolean().default(false),
  },
  'MediaTracks',
);
export type MediaTracks = SchemaType<typeof MediaTracks>;

export const DojoState = schema(
  {
    dojoId: t.string().default(''),
    subject: t.string().default(''),
    /** `SCHEDULED`, `LIVE` or `ENDED`. */
    status: t.string().default(''),
    participants: t.map(Participant),
    hostId: t.string().default(''),
    pilotId: t.string().default(''),
    copilotId: t.string().default(''),
    turnSeconds: t.number().default(0),
    /** Epoch milliseconds; 0 while nobody pilots. */
    turnEndsAt: t.number().default(0),
    code: t.string().default(''),
    language: t.string().default(''),
    chat: t.array(ChatEntry),
    recording: t.boolean().default(false),
    /** userId → what they publish, for everyone in a media session. */
    media: t.map(MediaTracks),
  },
  'DojoState',
);
export type DojoState = SchemaType<typeof DojoState>;
