/**
 * The delivery rule both queue adapters share (server/ports/queue.ts): run the handler on a batch of one
 * partition's messages, retry the whole batch with the one retry() helper, and once the attempts are spent
 * hand back one DeadLetter per message to publish. The adapter then commits; this module never touches
 * offsets. A single-message subscription is a batch subscription of at most one message (`oneByOne`).
 */
import {
  DEFAULT_BATCH_MAX_MESSAGES,
  DEFAULT_BATCH_MAX_WAIT_MS,
  type BatchSubscribeOptions,
  type DeadLetter,
  type DeliveredMessage,
  type RetryPolicy,
  type SubscribeOptions,
} from '../ports/queue.ts';
import { AppError } from './errors.ts';
import type { Logger } from './log.ts';
import { retry } from './retry.ts';

export type DeliveryOutcome =
  | { readonly kind: 'handled' }
  | { readonly kind: 'dead'; readonly letters: readonly DeadLetter[] }
  /** The consumer is closing: leave the batch uncommitted so it is delivered again. */
  | { readonly kind: 'aborted' }
  /** `beforeRetry` failed (a Kafka rebalance): the caller must give the batch back unhandled. */
  | { readonly kind: 'interrupted'; readonly error: unknown };

export type Undelivered = Omit<DeliveredMessage, 'attempt'>;

export interface DeliveryOptions {
  /** One partition's messages in offset order, at least one. */
  readonly messages: readonly Undelivered[];
  readonly handler: BatchSubscribeOptions['handler'];
  readonly policy: RetryPolicy;
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** Runs before every attempt but the first (kafkajs heartbeats there). */
  readonly beforeRetry?: () => Promise<void>;
}

export interface BatchSettings {
  readonly maxMessages: number;
  readonly maxWaitMs: number;
}

/** The batch limits of a subscription, defaults applied; fails loudly on nonsense. */
export function batchSettings(options: BatchSubscribeOptions): BatchSettings {
  const maxMessages = options.maxMessages ?? DEFAULT_BATCH_MAX_MESSAGES;
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_BATCH_MAX_WAIT_MS;
  if (!Number.isInteger(maxMessages) || maxMessages < 1 || !(maxWaitMs >= 0)) {
    throw new AppError('QUEUE.CONFIG', 'maxMessages must be a positive integer and maxWaitMs >= 0', {
      kind: 'INTERNAL',
    });
  }
  return { maxMessages, maxWaitMs };
}

/** A single-message subscription as a batch subscription: batches of one, never waiting to fill them. */
export function oneByOne(options: SubscribeOptions): BatchSubscribeOptions {
  const { handler, ...rest } = options;
  return {
    ...rest,
    maxMessages: 1,
    maxWaitMs: 0,
    handler: async (messages) => {
      for (const message of messages) await handler(message);
    },
  };
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

/** Where a batch sits, for the logs. */
function span(messages: readonly Undelivered[]) {
  const first = messages[0];
  const last = messages[messages.length - 1];
  return {
    topic: first?.topic,
    partition: first?.partition,
    offset: first?.offset,
    ...(messages.length > 1 ? { lastOffset: last?.offset, messages: messages.length } : {}),
  };
}

export async function deliver(options: DeliveryOptions): Promise<DeliveryOutcome> {
  const { messages, handler, policy, signal, logger, beforeRetry } = options;
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
        const attemptNo = attempts;
        await handler(messages.map((message) => ({ ...message, attempt: attemptNo })));
      },
      {
        attempts: policy.attempts,
        baseDelayMs: policy.baseDelayMs,
        maxDelayMs: policy.maxDelayMs,
        // Every handler failure is worth another try: the handler cannot know a later attempt is futile.
        isRetriable: (error) => !(error instanceof Interrupted),
        onRetry: (error, attempt, delayMs) =>
          logger.warn({ err: error, ...span(messages), attempt, delayMs }, 'queue handler failed, retrying'),
        signal,
      },
    );
    return { kind: 'handled' };
  } catch (error) {
    if (error instanceof Interrupted) return { kind: 'interrupted', error: error.cause };
    if (signal.aborted) return { kind: 'aborted' };
    logger.error(
      { err: error, ...span(messages), attempts },
      'queue handler failed on every attempt, dead-lettering',
    );
    const failedAt = new Date().toISOString();
    const described = describeError(error);
    return {
      kind: 'dead',
      letters: messages.map((original) => ({ original, error: described, attempts, failedAt })),
    };
  }
}
