/**
 * One Kafka subscription: a kafkajs consumer in the group with autoCommit off. Each message is handled in
 * place (retried with backoff, heartbeating between attempts so the group keeps the member), dead-lettered
 * when the attempts are spent, and only then committed. kafkajs processes one partition's messages in
 * order; partitionsConsumedConcurrently lets the partitions of a fetch run side by side.
 */
import type { Consumer, EachMessagePayload, IHeaders, Kafka } from 'kafkajs';
import { unavailable } from '../../lib/errors.ts';
import type { Logger } from '../../lib/log.ts';
import { deliver, describeError, type DeliveryOutcome } from '../../lib/queue-delivery.ts';
import { TIMED_OUT, withTimeout } from '../../lib/timeout.ts';
import {
  DEFAULT_RETRY,
  type DeadLetter,
  type SubscribeOptions,
  type Subscription,
} from '../../ports/queue.ts';

export interface ConsumerTimings {
  /** Must stay well above the longest retry sleep (RetryPolicy.maxDelayMs). kafkajs default 30000. */
  readonly sessionTimeout?: number;
  readonly rebalanceTimeout?: number;
  readonly heartbeatInterval?: number;
  /**
   * Longest wait of a fetch on idle partitions (default 1000; kafkajs's own is 5000). Data is returned as
   * soon as it arrives regardless; closing a consumer waits for the fetch in flight, so this bounds close().
   */
  readonly maxWaitTimeInMs?: number;
  /** How long subscribe() waits for the first group assignment before resolving anyway (default 30 s). */
  readonly joinTimeoutMs?: number;
}

export interface KafkaSubscriptionContext {
  readonly kafka: Kafka;
  readonly options: SubscribeOptions;
  readonly wireTopic: string;
  readonly groupId: string;
  readonly timings: ConsumerTimings;
  readonly concurrency: number;
  readonly closeTimeoutMs: number;
  readonly logger: Logger;
  readonly deadLetter: (topic: string, key: string, letter: DeadLetter) => Promise<void>;
  readonly onClosed: () => void;
}

function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (value !== undefined) out[name] = value.toString();
  }
  return out;
}

export class KafkaSubscription implements Subscription {
  readonly #context: KafkaSubscriptionContext;
  readonly #consumer: Consumer;
  readonly #abort = new AbortController();
  #closing: Promise<void> | undefined;

  private constructor(context: KafkaSubscriptionContext) {
    this.#context = context;
    const { sessionTimeout, rebalanceTimeout, heartbeatInterval, maxWaitTimeInMs } = context.timings;
    this.#consumer = context.kafka.consumer({
      groupId: context.groupId,
      allowAutoTopicCreation: false,
      ...(sessionTimeout === undefined ? {} : { sessionTimeout }),
      ...(rebalanceTimeout === undefined ? {} : { rebalanceTimeout }),
      ...(heartbeatInterval === undefined ? {} : { heartbeatInterval }),
      maxWaitTimeInMs: maxWaitTimeInMs ?? 1000,
    });
    this.#consumer.on(this.#consumer.events.CRASH, (event) =>
      context.logger.error(
        { err: event.payload.error, restart: event.payload.restart },
        'kafka consumer crashed',
      ),
    );
  }

  static async start(context: KafkaSubscriptionContext): Promise<KafkaSubscription> {
    const subscription = new KafkaSubscription(context);
    const sessionTimeout = context.timings.sessionTimeout ?? 30_000;
    const policy = context.options.retry ?? DEFAULT_RETRY;
    if (policy.maxDelayMs * 2 > sessionTimeout) {
      // Heartbeats go out between attempts only: a retry sleep near the session timeout loses the member.
      context.logger.warn(
        { maxDelayMs: policy.maxDelayMs, sessionTimeout },
        'retry sleeps too long for the session timeout',
      );
    }
    const consumer = subscription.#consumer;
    const joined = new Promise<void>((resolve) => {
      const off = consumer.on(consumer.events.GROUP_JOIN, () => {
        off();
        resolve();
      });
    });
    try {
      await consumer.connect();
      await consumer.subscribe({
        topics: [context.wireTopic],
        fromBeginning: context.options.fromBeginning ?? true,
      });
      await consumer.run({
        autoCommit: false,
        partitionsConsumedConcurrently: context.concurrency,
        eachMessage: (payload) => subscription.#eachMessage(payload),
      });
    } catch (error) {
      await consumer.disconnect().catch(() => undefined);
      throw unavailable('QUEUE.UNAVAILABLE', `subscribing to ${context.options.topic} failed`, error);
    }
    const inTime = (await withTimeout(joined, context.timings.joinTimeoutMs ?? 30_000)) !== TIMED_OUT;
    if (!inTime) context.logger.warn('kafka consumer has not joined its group yet; it keeps trying');
    return subscription;
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#abort.abort();
    // kafkajs waits for the handler in flight; past the bound its message stays uncommitted (redelivered).
    const disconnected = this.#consumer.disconnect().catch((error: unknown) => {
      this.#context.logger.warn({ err: error }, 'kafka consumer disconnect failed');
    });
    const finished = (await withTimeout(disconnected, this.#context.closeTimeoutMs)) !== TIMED_OUT;
    if (!finished)
      this.#context.logger.warn('kafka consumer still busy at close; its message will be redelivered');
    this.#context.onClosed();
  }

  async #eachMessage({ partition, message, heartbeat }: EachMessagePayload): Promise<void> {
    const { options, logger } = this.#context;
    const key = message.key?.toString('utf8') ?? '';
    const raw = message.value?.toString('utf8') ?? null;
    const base = {
      topic: options.topic,
      partition,
      offset: message.offset,
      key,
      headers: decodeHeaders(message.headers),
    };
    let value: unknown;
    let outcome: DeliveryOutcome | undefined;
    try {
      value = raw === null ? null : JSON.parse(raw);
    } catch (error) {
      // Not JSON: no attempt could ever succeed, so it goes straight to the dead letters.
      const failedAt = new Date().toISOString();
      const letter = {
        original: { ...base, value: raw },
        error: describeError(error),
        attempts: 0,
        failedAt,
      };
      outcome = { kind: 'dead', letter };
    }
    outcome ??= await deliver({
      message: { ...base, value },
      handler: options.handler,
      policy: options.retry ?? DEFAULT_RETRY,
      signal: this.#abort.signal,
      logger,
      beforeRetry: heartbeat,
    });
    if (outcome.kind === 'aborted') return;
    // A rebalance: give the partition back unhandled; its next owner starts from the last commit.
    if (outcome.kind === 'interrupted') throw outcome.error;
    if (outcome.kind === 'dead') await this.#context.deadLetter(options.topic, key, outcome.letter);
    await this.#consumer.commitOffsets([
      { topic: this.#context.wireTopic, partition, offset: (BigInt(message.offset) + 1n).toString() },
    ]);
  }
}
