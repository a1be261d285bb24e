/**
 * One Kafka subscription: a kafkajs consumer in the group with autoCommit off and eachBatch with
 * eachBatchAutoResolve off. Each fetched batch of a partition is cut into chunks of `maxMessages`; a chunk is
 * handled in place (retried whole with backoff, heartbeating all along so the group keeps the member),
 * dead-lettered message by message when the attempts are spent, and only then committed and resolved.
 * kafkajs hands over one partition's batches in order; partitionsConsumedConcurrently lets the partitions of
 * a fetch run side by side.
 */
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { unavailable } from '../../lib/errors.ts';
import type { Logger } from '../../lib/log.ts';
import { deliver, type BatchSettings } from '../../lib/queue-delivery.ts';
import { TIMED_OUT, withTimeout } from '../../lib/timeout.ts';
import {
  DEFAULT_RETRY,
  type BatchSubscribeOptions,
  type DeadLetter,
  type Subscription,
} from '../../ports/queue.ts';
import { decode, KeepAlive } from './batch.ts';

export interface ConsumerTimings {
  /** kafkajs default 30000. Heartbeats go on during handlers and retry sleeps. */
  readonly sessionTimeout?: number;
  readonly rebalanceTimeout?: number;
  /** kafkajs default 3000. */
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
  readonly options: BatchSubscribeOptions;
  readonly batch: BatchSettings;
  readonly wireTopic: string;
  readonly groupId: string;
  readonly timings: ConsumerTimings;
  readonly concurrency: number;
  readonly closeTimeoutMs: number;
  readonly logger: Logger;
  readonly deadLetter: (topic: string, letters: readonly DeadLetter[]) => Promise<void>;
  readonly onClosed: () => void;
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
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: context.concurrency,
        eachBatch: (payload) => subscription.#eachBatch(payload),
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
    // kafkajs waits for the handler in flight; past the bound its batch stays uncommitted (redelivered).
    const disconnected = this.#consumer.disconnect().catch((error: unknown) => {
      this.#context.logger.warn({ err: error }, 'kafka consumer disconnect failed');
    });
    const finished = (await withTimeout(disconnected, this.#context.closeTimeoutMs)) !== TIMED_OUT;
    if (!finished)
      this.#context.logger.warn('kafka consumer still busy at close; its batch will be redelivered');
    this.#context.onClosed();
  }

  async #eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, isRunning, isStale } = payload;
    const { maxMessages } = this.#context.batch;
    for (let start = 0; start < batch.messages.length; start += maxMessages) {
      // Closing, or a seek: what is left stays unresolved and uncommitted, fetched again by its next owner.
      if (!isRunning() || isStale() || this.#abort.signal.aborted) return;
      const chunk = batch.messages.slice(start, start + maxMessages);
      if (!(await this.#handle(payload, chunk))) return;
    }
  }

  /** False when the consumer is closing and the chunk must stay uncommitted. */
  async #handle(payload: EachBatchPayload, chunk: readonly KafkaMessage[]): Promise<boolean> {
    const { options, logger, timings } = this.#context;
    const { batch, heartbeat } = payload;
    const { messages, unreadable } = decode(options.topic, batch.partition, chunk);
    const alive = new KeepAlive(heartbeat, timings.heartbeatInterval ?? 3000);
    try {
      // Not JSON: no attempt could ever succeed, so they go straight to the dead letters.
      if (unreadable.length > 0) await this.#context.deadLetter(options.topic, unreadable);
      if (messages.length > 0) {
        const outcome = await deliver({
          messages,
          handler: options.handler,
          policy: options.retry ?? DEFAULT_RETRY,
          signal: this.#abort.signal,
          logger,
          beforeRetry: async () => {
            alive.check();
            await heartbeat();
          },
        });
        if (outcome.kind === 'aborted') return false;
        // A rebalance: give the partition back unhandled; its next owner starts from the last commit.
        if (outcome.kind === 'interrupted') throw outcome.error;
        if (outcome.kind === 'dead') await this.#context.deadLetter(options.topic, outcome.letters);
      }
      // Committing is still allowed while the group prepares a rebalance; rejoin right after.
      await this.#commit(payload, chunk);
    } finally {
      alive.stop();
    }
    alive.check();
    await heartbeat();
    return true;
  }

  async #commit(payload: EachBatchPayload, chunk: readonly KafkaMessage[]): Promise<void> {
    const last = chunk[chunk.length - 1]!.offset;
    const offset = (BigInt(last) + 1n).toString();
    await payload.commitOffsetsIfNecessary({
      topics: [
        { topic: this.#context.wireTopic, partitions: [{ partition: payload.batch.partition, offset }] },
      ],
    });
    payload.resolveOffset(last);
  }
}
