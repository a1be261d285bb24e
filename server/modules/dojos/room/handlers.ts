/**
 * The dojo room's client messages as a table: each type has the zod schema its payload must pass and the
 * function that applies it. The room validates, rate-limits and catches around every entry (dispatch),
 * so a handler only decides and answers with an error when the sender may not do this.
 */
import type { z } from 'zod';
import {
  chatMessage,
  codeMessage,
  emptyMessage,
  handHostMessage,
  mediaAnswerMessage,
  mediaIceMessage,
  mediaMuteMessage,
  ROOM_ERRORS,
  turnSecondsMessage,
  type ClientMessageType,
  type RoomErrorMessage,
} from '../../../../protocol/dojo.ts';
import type { DojoState } from '../../../../protocol/dojo-state.ts';
import type { RoomMedia } from './media.ts';

/** Who sent a message: what onAuth proved about the connection. */
export interface Seat {
  readonly userId: string;
  readonly tenantId: string;
  readonly name: string;
  readonly dojoId: string;
}

/** What handlers may do to the room. */
export interface RoomApi {
  readonly state: DojoState;
  /** Stores the message, then shows it in the room's chat. */
  postChat(userId: string, text: string): Promise<void>;
  setCode(text: string, language?: string): void;
  rotate(): void;
  setTurnSeconds(seconds: number): void;
  setHost(userId: string): void;
  /** Whether the user has a live connection (or a seat kept for reconnection). */
  isPresent(userId: string): boolean;
  /** This connection leaves on purpose. */
  leave(sessionId: string): void;
  /** The room's media sessions (the SFU's signaling). */
  readonly media: Pick<RoomMedia, 'join' | 'answer' | 'ice' | 'mute' | 'leave'>;
}

export type HandlerResult = RoomErrorMessage | undefined;

export interface Handler<S extends z.ZodType = z.ZodType> {
  readonly schema: S;
  run(
    room: RoomApi,
    seat: Seat,
    message: z.output<S>,
    sessionId: string,
  ): HandlerResult | Promise<HandlerResult>;
}

const handler = <S extends z.ZodType>(schema: S, run: Handler<S>['run']): Handler<S> => ({ schema, run });

const refuse = (code: RoomErrorMessage['code'], message: string): RoomErrorMessage => ({ code, message });

const hostOnly = (room: RoomApi, seat: Seat): HandlerResult =>
  seat.userId === room.state.hostId ? undefined : refuse(ROOM_ERRORS.NOT_HOST, 'Only the host can do this.');

export const HANDLERS: { readonly [K in ClientMessageType]: Handler } = {
  chat: handler(chatMessage, async (room, seat, m) => {
    await room.postChat(seat.userId, m.text);
    return undefined;
  }),
  code: handler(codeMessage, (room, seat, m) => {
    if (seat.userId !== room.state.pilotId)
      return refuse(ROOM_ERRORS.NOT_PILOT, 'Only the pilot edits the code.');
    room.setCode(m.text, m.language);
    return undefined;
  }),
  rotate: handler(emptyMessage, (room, seat) => {
    const refused = hostOnly(room, seat);
    if (!refused) room.rotate();
    return refused;
  }),
  turnSeconds: handler(turnSecondsMessage, (room, seat, m) => {
    const refused = hostOnly(room, seat);
    if (!refused) room.setTurnSeconds(m.seconds);
    return refused;
  }),
  handHost: handler(handHostMessage, (room, seat, m) => {
    const refused = hostOnly(room, seat);
    if (refused) return refused;
    if (!room.isPresent(m.userId)) {
      return refuse(ROOM_ERRORS.UNKNOWN_PARTICIPANT, 'The new host must be a connected participant.');
    }
    room.setHost(m.userId);
    return undefined;
  }),
  leave: handler(emptyMessage, (room, _seat, _m, sessionId) => {
    room.leave(sessionId);
    return undefined;
  }),
  'media:join': handler(emptyMessage, (room, seat, _m, sessionId) => room.media.join(seat.userId, sessionId)),
  'media:answer': handler(mediaAnswerMessage, (room, seat, m, sessionId) =>
    room.media.answer(seat.userId, sessionId, m.sdp),
  ),
  'media:ice': handler(mediaIceMessage, (room, seat, m, sessionId) =>
    room.media.ice(seat.userId, sessionId, {
      candidate: m.candidate,
      sdpMid: m.sdpMid ?? null,
      sdpMLineIndex: m.sdpMLineIndex ?? null,
    }),
  ),
  'media:mute': handler(mediaMuteMessage, (room, seat, m, sessionId) =>
    room.media.mute(seat.userId, sessionId, m.kind, m.muted),
  ),
  'media:leave': handler(emptyMessage, (room, seat, _m, sessionId) => {
    room.media.leave(seat.userId, sessionId);
    return undefined;
  }),
};

/** Turns a schema failure into the `error` a sender gets: the first problem, with its field. */
export function invalidMessage(type: string, error: z.ZodError): RoomErrorMessage {
  const issue = error.issues[0];
  const where = issue?.path.length ? ` (${issue.path.join('.')})` : '';
  return refuse(
    ROOM_ERRORS.INVALID_MESSAGE,
    `Invalid ${type} message${where}: ${issue?.message ?? 'refused'}`,
  );
}

/**
 * Per-connection token bucket: `capacity` messages at once, refilled at `perSecond`. Typing sends a few
 * messages a second; a client above the rate gets RATE_LIMITED instead of having its messages applied.
 */
export class TokenBucket {
  readonly #capacity: number;
  readonly #perMs: number;
  #tokens: number;
  #at: number;

  constructor(capacity: number, perSecond: number, now: number) {
    this.#capacity = capacity;
    this.#perMs = perSecond / 1000;
    this.#tokens = capacity;
    this.#at = now;
  }

  take(now: number): boolean {
    this.#tokens = Math.min(this.#capacity, this.#tokens + (now - this.#at) * this.#perMs);
    this.#at = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
