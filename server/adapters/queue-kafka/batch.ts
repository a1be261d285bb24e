/**
 * Helpers of one Kafka batch: decoding kafkajs messages for the handler (a value that is not JSON can never
 * be handled, so it becomes a DeadLetter at once) and heartbeating while a handler runs.
 */
import type { IHeaders, KafkaMessage } from 'kafkajs';
import { describeError, type Undelivered } from '../../lib/queue-delivery.ts';
import type { DeadLetter } from '../../ports/queue.ts';

function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (value !== undefined) out[name] = value.toString();
  }
  return out;
}

export interface Decoded {
  readonly messages: Undelivered[];
  /** The messages whose value is not JSON, in offset order. */
  readonly unreadable: DeadLetter[];
}

export function decode(topic: string, partition: number, raw: readonly KafkaMessage[]): Decoded {
  const decoded: Decoded = { messages: [], unreadable: [] };
  for (const message of raw) {
    const text = message.value?.toString('utf8') ?? null;
    const base = {
      topic,
      partition,
      offset: message.offset,
      key: message.key?.toString('utf8') ?? '',
      headers: decodeHeaders(message.headers),
    };
    try {
      decoded.messages.push({ ...base, value: text === null ? null : (JSON.parse(text) as unknown) });
    } catch (error) {
      decoded.unreadable.push({
        original: { ...base, value: text },
        error: describeError(error),
        attempts: 0,
        failedAt: new Date().toISOString(),
      });
    }
  }
  return decoded;
}

/**
 * Heartbeats every half interval while a handler runs, so a long batch (or a long retry sleep) keeps the
 * member in its group. kafkajs sends at most one heartbeat per interval however often it is asked. The
 * first failure (a rebalance) is kept for the caller: `check()` throws it.
 */
export class KeepAlive {
  readonly #timer: NodeJS.Timeout;
  #failure: { readonly error: unknown } | undefined;

  constructor(heartbeat: () => Promise<void>, intervalMs: number) {
    this.#timer = setInterval(
      () => {
        heartbeat().catch((error: unknown) => {
          this.#failure ??= { error };
        });
      },
      Math.max(50, intervalMs / 2),
    );
  }

  check(): void {
    if (this.#failure) throw this.#failure.error;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
