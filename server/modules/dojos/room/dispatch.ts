import type { Client } from '@colyseus/core';
import {
  CLIENT_MESSAGES,
  ROOM_ERRORS,
  SERVER_MESSAGES,
  type ClientMessageType,
  type RoomErrorMessage,
} from '../../../../protocol/dojo.ts';
import type { Logger } from '../../../lib/log.ts';
import { HANDLERS, invalidMessage, TokenBucket, type RoomApi, type Seat } from './handlers.ts';

interface Limiter {
  readonly bucket: TokenBucket;
  refusedAt: number;
}

/** The part of a Colyseus room the dispatcher registers its handlers on. */
interface MessageSource {
  onMessage(type: string, callback: (client: Client, message: unknown) => void): unknown;
}

/**
 * The one path every client message takes: per-connection rate limit, schema validation, then the
 * handler from the table, inside a try/catch (sync throw or async rejection) so no message can break the
 * room. Every refusal is an `error {code, message}` to the sender alone.
 */
export class Dispatcher {
  readonly #api: RoomApi;
  readonly #rate: { readonly burst: number; readonly perSecond: number };
  readonly #log: Logger;
  readonly #limits = new Map<string, Limiter>();

  constructor(options: { api: RoomApi; rateLimit: { burst: number; perSecond: number }; logger: Logger }) {
    this.#api = options.api;
    this.#rate = options.rateLimit;
    this.#log = options.logger;
  }

  /** Registers every message type of the table, and a catch-all that answers UNKNOWN_MESSAGE. */
  attach(room: MessageSource): void {
    for (const type of Object.values(CLIENT_MESSAGES)) {
      room.onMessage(type, (client, message) => this.dispatch(type, client, message));
    }
    room.onMessage('*', (client, type) => {
      if (!this.#allow(client)) return;
      const name = String(type).slice(0, 40);
      refuse(client, { code: ROOM_ERRORS.UNKNOWN_MESSAGE, message: `Unknown message ${name}` });
    });
  }

  dispatch(type: ClientMessageType, client: Client, raw: unknown): void {
    const seat = client.auth as Seat | undefined;
    if (!seat || !this.#allow(client)) return;
    const handler = HANDLERS[type];
    const parsed = handler.schema.safeParse(raw);
    if (!parsed.success) return refuse(client, invalidMessage(type, parsed.error));
    const failed = (error: unknown) => {
      this.#log.error({ err: error, type, dojoId: seat.dojoId }, 'room message failed');
      refuse(client, { code: ROOM_ERRORS.INTERNAL, message: 'The message could not be applied; try again.' });
    };
    try {
      const result = handler.run(this.#api, seat, parsed.data, client.sessionId);
      if (result instanceof Promise) result.then((r) => r && refuse(client, r), failed);
      else if (result) refuse(client, result);
    } catch (error) {
      failed(error);
    }
  }

  /** Drops a connection's rate-limit state when it leaves for good. */
  forget(sessionId: string): void {
    this.#limits.delete(sessionId);
  }

  #allow(client: Client): boolean {
    const now = Date.now();
    let limiter = this.#limits.get(client.sessionId);
    if (!limiter) {
      limiter = { bucket: new TokenBucket(this.#rate.burst, this.#rate.perSecond, now), refusedAt: 0 };
      this.#limits.set(client.sessionId, limiter);
    }
    if (limiter.bucket.take(now)) return true;
    // One RATE_LIMITED a second is enough for a flooding client; the rest are dropped silently.
    if (now - limiter.refusedAt >= 1000) {
      limiter.refusedAt = now;
      refuse(client, { code: ROOM_ERRORS.RATE_LIMITED, message: 'Too many messages; slow down.' });
    }
    return false;
  }
}

function refuse(client: Client, error: RoomErrorMessage): void {
  client.send(SERVER_MESSAGES.error, error);
}
