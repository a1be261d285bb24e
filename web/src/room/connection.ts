/**
 * The page's connection to the dojo's Colyseus room: joins with a fresh access token, says why a join was
 * refused in words a participant understands, and keeps the page in the room across network trouble: the
 * SDK resumes a dropped connection on its own; when that fails (or the room moved to another node) this
 * joins again from scratch.
 */
import { Client, type Room } from '@colyseus/sdk';
import { DOJO_ROOM, JOIN_ERRORS, SERVER_MESSAGES, type RoomErrorMessage } from '../../../protocol/dojo.ts';

/** Colyseus' close code of a leave the client asked for. */
const CONSENTED = 4000;
const REJOIN_DELAYS_MS = [500, 1000, 2000, 4000, 8000, 15000];

export interface JoinRefusal {
  /** The code the server put before the message (`DOJO.NOT_FOUND`), or '' when there was none. */
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  /** Whether joining again might work (a network failure, a busy room). */
  readonly retryable: boolean;
}

export type LinkState = 'connected' | 'reconnecting' | 'left';

export interface RoomLinkEvents {
  /** A room was joined: the first time, and after every rejoin from scratch (a new session). */
  joined(room: Room): void;
  /** The SDK resumed the same session after a drop. */
  resumed(room: Room): void;
  state(state: LinkState, detail?: string): void;
  error(error: RoomErrorMessage): void;
}

export interface RoomLinkOptions {
  readonly endpoint: string;
  readonly dojoId: string;
  accessToken(): Promise<string>;
  readonly events: RoomLinkEvents;
}

export class RoomLink {
  readonly #o: RoomLinkOptions;
  #room: Room | undefined;
  #closed = false;

  constructor(options: RoomLinkOptions) {
    this.#o = options;
  }

  get room(): Room | undefined {
    return this.#room;
  }

  /** Joins; a refusal is thrown as a JoinRefusal. A busy room (opening on another node) is retried. */
  async join(): Promise<Room> {
    for (let attempt = 0; ; attempt++) {
      try {
        const client = new Client(this.#o.endpoint);
        client.auth.token = await this.#o.accessToken();
        const room = await client.joinOrCreate(DOJO_ROOM, { dojoId: this.#o.dojoId });
        if (this.#closed) {
          await room.leave(true);
          throw refusalOf(new Error('left'));
        }
        this.#attach(room);
        return room;
      } catch (error) {
        const refusal = isRefusal(error) ? error : refusalOf(error);
        if (!refusal.retryable || attempt >= 3 || this.#closed) throw refusal;
        await sleep(REJOIN_DELAYS_MS[attempt] ?? 1000);
      }
    }
  }

  send(type: string, payload: unknown): void {
    this.#room?.send(type, payload);
  }

  async leave(): Promise<void> {
    this.#closed = true;
    const room = this.#room;
    this.#room = undefined;
    if (room?.connection?.isOpen) await room.leave(true).catch(() => undefined);
  }

  #attach(room: Room): void {
    this.#room = room;
    const e = this.#o.events;
    room.onMessage(SERVER_MESSAGES.error, (m: RoomErrorMessage) => e.error(m));
    room.onDrop(() => e.state('reconnecting', 'Connection lost — reconnecting…'));
    room.onReconnect(() => {
      e.state('connected');
      e.resumed(room);
    });
    room.onLeave((code) => {
      if (this.#closed || room !== this.#room) return;
      if (code === CONSENTED) {
        e.state('left', 'You left the dojo.');
        return;
      }
      void this.#rejoin();
    });
    e.state('connected');
    e.joined(room);
  }

  /** The session could not be resumed: join again with a fresh token, backing off. */
  async #rejoin(): Promise<void> {
    const e = this.#o.events;
    this.#room = undefined;
    for (const delay of REJOIN_DELAYS_MS) {
      if (this.#closed) return;
      e.state('reconnecting', 'Connection lost — joining again…');
      await sleep(delay);
      try {
        await this.join();
        return;
      } catch (error) {
        if (isRefusal(error) && !error.retryable) {
          e.state('left', `${error.title} ${error.detail}`);
          return;
        }
      }
    }
    e.state('left', 'Could not reach the dojo. Check your connection and reload the page.');
  }
}

function isRefusal(error: unknown): error is JoinRefusal {
  return typeof error === 'object' && error !== null && 'retryable' in error && 'title' in error;
}

/** The SDK's MatchMakeError (or a network failure) as words on the page. */
export function refusalOf(error: unknown): JoinRefusal {
  const message = error instanceof Error ? error.message : String(error);
  const match = /^([A-Z]+\.[A-Z_]+):\s*(.*)$/s.exec(message);
  const code = match?.[1] ?? '';
  const detail = match?.[2] ?? message;
  switch (code) {
    case JOIN_ERRORS.NOT_FOUND:
      return {
        code,
        title: 'You are not a member of this dojo.',
        detail: 'Ask its host to add you, or check the link: the dojo may not exist.',
        retryable: false,
      };
    case JOIN_ERRORS.TOKEN_REQUIRED:
    case JOIN_ERRORS.TOKEN_INVALID:
    case JOIN_ERRORS.TOKEN_EXPIRED:
      return {
        code,
        title: 'Your session has ended.',
        detail: 'Log in again to join the dojo.',
        retryable: false,
      };
    case JOIN_ERRORS.INVALID_OPTIONS:
      return { code, title: 'This is not a dojo link.', detail, retryable: false };
    case JOIN_ERRORS.ROOM_BUSY:
      return { code, title: 'The dojo is opening.', detail: 'Joining again in a moment…', retryable: true };
    default:
      return {
        code,
        title: 'Could not join the dojo.',
        detail: detail || 'The server did not answer.',
        // Without a code from the server this was the network or the server being away.
        retryable: code === '',
      };
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
