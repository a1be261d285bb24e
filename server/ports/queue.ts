/**
 * Jobs and events. Adapters: queue-kafka (real) and queue-embedded (a durable log under DATA_DIR).
 * Semantics shared by both, proven by test/contract/queue.contract.ts:
 * - messages with the same key keep their order (they land in one partition);
 * - at-least-once: the offset is committed only after the handler resolves, so a consumer that dies
 *   mid-handler gets the message again;
 * - a failing handler is retried with exponential backoff and jitter; after the last attempt the message
 *   goes to `<topic>.dlq` (a DeadLetter) and the partition moves on.
 * subscribeBatch keeps all three with a batch as the unit: one partition's messages in offset order, retried
 * whole, dead-lettered message by message (one DeadLetter each), committed once the handler resolved.
 */
export interface OutgoingMessage {
  readonly key: string;
  readonly value: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface DeliveredMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string;
  readonly value: unknown;
  readonly headers: Readonly<Record<string, string>>;
  /** 1 on first delivery to this handler invocation chain, then 2, 3… within the retry loop. */
  readonly attempt: number;
}

export interface DeadLetter {
  readonly original: Omit<DeliveredMessage, 'attempt'>;
  readonly error: { readonly name: string; readonly message: string; readonly code?: string };
  readonly attempts: number;
  readonly failedAt: string;
}

export interface RetryPolicy {
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export interface SubscribeOptions {
  readonly topic: string;
  /** Consumer group: each message is handled by one member of the group. */
  readonly group: string;
  readonly handler: (message: DeliveredMessage) => Promise<void>;
  readonly retry?: RetryPolicy;
  /** Start from the earliest retained message when the group has no committed offset (default true). */
  readonly fromBeginning?: boolean;
}

export interface BatchSubscribeOptions {
  readonly topic: string;
  readonly group: string;
  /** Called with up to `maxMessages` messages of ONE partition, in offset order; offsets are committed only after it resolves (at least once). */
  readonly handler: (messages: readonly DeliveredMessage[]) => Promise<void>;
  readonly maxMessages?: number; // default 500
  /**
   * How long to wait to fill a batch once one message is there (default a few ms; never delays a lone
   * message by more). Kafka hands over what a fetch returned without waiting: what arrives while a batch
   * is handled makes the next one.
   */
  readonly maxWaitMs?: number;
  readonly retry?: RetryPolicy;
  readonly fromBeginning?: boolean;
}

export const DEFAULT_BATCH_MAX_MESSAGES = 500;
export const DEFAULT_BATCH_MAX_WAIT_MS = 5;

export interface Subscription {
  close(): Promise<void>;
}

export const dlqTopic = (topic: string): string => `${topic}.dlq`;

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 200, maxDelayMs: 10_000 };

export interface Queue {
  readonly name: string;
  /** Creates the topics and their dead-letter topics when missing. */
  ensureTopics(topics: readonly string[]): Promise<void>;
  /** Resolves once the messages are durably accepted. */
  publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  subscribeBatch(options: BatchSubscribeOptions): Promise<Subscription>;
  health(): Promise<void>;
  close(): Promise<void>;
}
