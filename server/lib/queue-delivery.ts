/**
 * The delivery rule both queue adapters share (server/ports/queue.ts): run the handler, retry it with the
 * one retry() helper, and once the attempts are spent hand back the DeadLetter to publish. The adapter then
 * commits; this module never touches offsets.
 */
import type { DeadLetter, DeliveredMessage, RetryPolicy } from '../ports/queue.ts';
import type { Logger } from './log.ts';
import { retry } from './retry.ts';

export type DeliveryOutcome =
  | { readonly kind: 'handled' }
  | { readonly kind: 'dead'; readonly letter: DeadLetter }
  /** The consumer is closing: leave the message uncommitted so it is delivered again. */
  | { readonly kind: 'aborted' }
  /** `beforeRetry` failed (a Kafka rebalance): the caller must give the message back unhandled. */
  | { readonly kind: 'interrupted'; readonly error: unknown };

export interface DeliveryOptions {
  readonly message: Omit<DeliveredMessage, 'attempt'>;
  readonly handler: (message: DeliveredMessage) => Promise<void>;
  readonly policy: RetryPolicy;
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** Runs before every attempt but the first (kafkajs heartbeats there). */
  readonly beforeRetry?: () => Promise<void>;
}

class Interrupted extends Error {
  constructor(cause: unknown) {
    super('interrupted before a retry', { cause });
  }
}

export function describeError(error: unknown): DeadLetter['error'] {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string'
      ? { name: error.name, message: error.message, code }
      : { name: error.name, message: error.message };
  }
  return { name: 'Error', message: String(error) };
}

export async function deliver(options: DeliveryOptions): Promise<DeliveryOutcome> {
  const { message, handler, policy, signal, logger, beforeRetry } = options;
  let attempts = 0;
  try {
    await retry(
      async (attempt) => {
        if (attempt > 0 && beforeRetry) {
          try {
            await beforeRetry();
          } catch (error) {
            throw new Interrupted(error);
          }
        }
        attempts = attempt + 1;
        await handler({ ...message, attempt: attempts });
      },
      {
        attempts: policy.attempts,
        baseDelayMs: policy.baseDelayMs,
        maxDelayMs: policy.maxDelayMs,
        // Every handler failure is worth another try: the handler cannot know a later attempt is futile.
        isRetriable: (error) => !(error instanceof Interrupted),
        onRetry: (error, attempt, delayMs) =>
          logger.warn(
            {
              err: error,
              topic: message.topic,
              partition: message.partition,
              offset: message.offset,
              attempt,
              delayMs,
            },
            'queue handler failed, retrying',
          ),
        signal,
      },
    );
    return { kind: 'handled' };
  } catch (error) {
    if (error instanceof Interrupted) return { kind: 'interrupted', error: error.cause };
    if (signal.aborted) return { kind: 'aborted' };
    logger.error(
      { err: error, topic: message.topic, partition: message.partition, offset: message.offset, attempts },
      'queue handler failed on every attempt, dead-lettering',
    );
    return {
      kind: 'dead',
      letter: {
        original: message,
        error: describeError(error),
        attempts,
        failedAt: new Date().toISOString(),
      },
    };
  }
}
