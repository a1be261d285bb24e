/**
 * The live dojo room's wire contract, shared by the server, the web client and the tests: the room name,
 * the client → room messages with their schemas and limits, and the codes of the `error` message a refused
 * message answers with.
 */
import { z } from 'zod';

export const DOJO_ROOM = 'dojo';

export const LIMITS = {
  /** Characters of one chat message. */
  chatChars: 2000,
  /** UTF-8 bytes of the whole code buffer. */
  codeBytes: 100 * 1024,
  minTurnSeconds: 30,
  maxTurnSeconds: 3600,
  defaultTurnSeconds: 300,
  /** Chat messages kept in the room state (older ones stay readable through GET /v1/user/messages). */
  chatKept: 50,
} as const;

/** Client → room message types. */
export const CLIENT_MESSAGES = {
  chat: 'chat',
  code: 'code',
  rotate: 'rotate',
  turnSeconds: 'turnSeconds',
  handHost: 'handHost',
  leave: 'leave',
  mediaJoin: 'media:join',
  mediaAnswer: 'media:answer',
  mediaIce: 'media:ice',
  mediaMute: 'media:mute',
  mediaLeave: 'media:leave',
} as const;
export type ClientMessageType = (typeof CLIENT_MESSAGES)[keyof typeof CLIENT_MESSAGES];

/** Room → client message types (besides state patches). */
export const SERVER_MESSAGES = {
  error: 'error',
  /** `{sdp, iceServers}`: the server's offer (again whenever the forwarded tracks change). */
  mediaOffer: 'media:offer',
  /** `{candidate, sdpMid, sdpMLineIndex}`: a server ICE candidate; `candidate: null` ends gathering. */
  mediaIce: 'media:ice',
} as const;

export const ROOM_ERRORS = {
  /** The message failed its schema (wrong shape, too long, unknown field). */
  INVALID_MESSAGE: 'INVALID_MESSAGE',
  UNKNOWN_MESSAGE: 'UNKNOWN_MESSAGE',
  /** Only the pilot's code is applied. */
  NOT_PILOT: 'NOT_PILOT',
  /** rotate, turnSeconds and handHost are the host's. */
  NOT_HOST: 'NOT_HOST',
  /** handHost named someone who is not a connected participant. */
  UNKNOWN_PARTICIPANT: 'UNKNOWN_PARTICIPANT',
  RATE_LIMITED: 'RATE_LIMITED',
  /** media:answer, media:ice or media:mute without a media session of this connection (media:join first). */
  NO_MEDIA_SESSION: 'NO_MEDIA_SESSION',
  /** This node runs no SFU, or the offer/answer could not be applied. */
  MEDIA_FAILED: 'MEDIA_FAILED',
  /** Something failed on the server side (e.g. the store); the room carries on. */
  INTERNAL: 'INTERNAL',
} as const;
export type RoomErrorCode = (typeof ROOM_ERRORS)[keyof typeof ROOM_ERRORS];

/**
 * Why a join was refused: the matchmaking error's message starts with one of these codes
 * (`"DOJO.NOT_FOUND: …"`); its numeric code is Colyseus' AUTH_FAILED (525) for the first four.
 */
export const JOIN_ERRORS = {
  TOKEN_REQUIRED: 'AUTH.TOKEN_MISSING',
  TOKEN_INVALID: 'AUTH.INVALID_TOKEN',
  TOKEN_EXPIRED: 'AUTH.TOKEN_EXPIRED',
  /** Unknown dojo, another tenant's, or one the caller is not a member of: never told apart. */
  NOT_FOUND: 'DOJO.NOT_FOUND',
  INVALID_OPTIONS: 'DOJO.INVALID_JOIN_OPTIONS',
  /** Another node is opening this dojo's room right now: join again. */
  ROOM_BUSY: 'DOJO.ROOM_BUSY',
} as const;

export interface RoomErrorMessage {
  readonly code: RoomErrorCode;
  readonly message: string;
}

const encoder = new TextEncoder();
/** TextEncoder rather than Buffer: the web client validates with these schemas too. */
const utf8Bytes = (s: string) => encoder.encode(s).length;

export const chatMessage = z.strictObject({
  text: z
    .string()
    .max(LIMITS.chatChars)
    .refine((t) => t.trim().length > 0, 'Must not be blank'),
});
export const codeMessage = z.strictObject({
  text: z
    .string()
    .refine((t) => utf8Bytes(t) <= LIMITS.codeBytes, `Must be at most ${LIMITS.codeBytes} bytes`),
  /** Optional: the editor language of the buffer (e.g. `typescript`), kept until changed. */
  language: z
    .string()
    .regex(/^[a-z0-9+#.-]{1,30}$/)
    .optional(),
});
/** `rotate`, `leave`: an empty object (a missing payload counts as one). */
export const emptyMessage = z.preprocess((v) => v ?? {}, z.strictObject({}));
export const turnSecondsMessage = z.strictObject({
  seconds: z.number().int().min(LIMITS.minTurnSeconds).max(LIMITS.maxTurnSeconds),
});
export const handHostMessage = z.strictObject({ userId: z.uuid() });

export const MEDIA_KINDS = ['audio', 'video'] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];
export const mediaAnswerMessage = z.strictObject({
  sdp: z
    .string()
    .min(1)
    .max(64 * 1024),
});
/** As RTCIceCandidateInit (`toJSON()` of a browser candidate); all null ends the client's gathering. */
export const mediaIceMessage = z.strictObject({
  candidate: z.string().max(2048).nullable(),
  sdpMid: z.string().max(64).nullable().optional(),
  sdpMLineIndex: z.number().int().min(0).max(255).nullable().optional(),
  usernameFragment: z.string().max(256).nullable().optional(),
});
export const mediaMuteMessage = z.strictObject({ kind: z.enum(MEDIA_KINDS), muted: z.boolean() });

/** What `media:offer` carries. */
export interface MediaOffer {
  readonly sdp: string;
  /** STUN/TURN servers for the client's RTCPeerConnection (empty: host candidates only). */
  readonly iceServers: readonly {
    urls: string | readonly string[];
    username?: string;
    credential?: string;
  }[];
}

/** What the client passes to `joinOrCreate(DOJO_ROOM, options)`. */
export const joinOptions = z.object({ dojoId: z.uuid() });
export type JoinOptions = z.infer<typeof joinOptions>;

export const ROOM_STATUS = ['SCHEDULED', 'LIVE', 'ENDED'] as const;
export type DojoStatus = (typeof ROOM_STATUS)[number];

export const PARTICIPANT_ROLES = ['host', 'pilot', 'copilot', 'audience'] as const;
export type ParticipantRole = (typeof PARTICIPANT_ROLES)[number];
