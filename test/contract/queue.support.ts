/** What the queue contract's files share: the made queue, an inbox that collects deliveries, unique names. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { DeliveredMessage, Queue } from '../../server/ports/queue.ts';
import { uniqueName } from '../support/services.ts';
import type { CrashFixtureAdapter } from './fixtures/queue-crash-consumer.ts';

export interface MadeQueue {
  readonly adapter: Queue;
  /** How test/contract/fixtures/queue-crash-consumer.ts builds the same queue in a child process. */
  readonly fixture: CrashFixtureAdapter;
  /**
   * For a queue one process holds exclusively (embedded): a new instance over the same storage. The suite
   * closes `adapter` before a child process opens the queue and reopens it afterwards.
   */
  readonly reopen?: () => Promise<Queue>;
  cleanup(): Promise<void>;
}

/** Waits until `done()` holds, failing with `what()` after `ms`. */
export async function until(done: () => boolean, what: () => string, ms = 20_000): Promise<void> {
  const started = Date.now();
  while (!done()) {
    if (Date.now() - started > ms) throw new Error(`${what()} in ${ms} ms`);
    await sleep(10);
  }
}

/** Collects what a handler receives (after `before`, if any, resolved) and waits for it. */
export function inbox(before?: (message: DeliveredMessage) => Promise<void>) {
  const messages: DeliveredMessage[] = [];
  return {
    messages,
    values: () => messages.map((m) => m.value),
    handler: async (message: DeliveredMessage) => {
      await before?.(message);
      messages.push(message);
    },
    until: (count: number, ms = 20_000) =>
      until(
        () => messages.length >= count,
        () => `got ${messages.length} of ${count} messages`,
        ms,
      ),
  };
}

export const named = (prefix: string) => uniqueName(prefix).replace(/_/g, '-');

export async function withQueue(make: () => Promise<MadeQueue>, fn: (made: MadeQueue) => Promise<void>) {
  const made = await make();
  try {
    await fn(made);
  } finally {
    await made.cleanup();
  }
}
