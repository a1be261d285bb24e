/**
 * The Kafka queue (kafkajs 2.2.4). Port names stay unprefixed for callers; on the wire every topic and
 * consumer group is `topicPrefix + name`, so several deployments (or test runs) can share a cluster.
 *
 * - Publishing uses an idempotent producer (acks -1, one request in flight) and kafkajs's
 *   DefaultPartitioner (murmur2, like the Java client and the embedded queue), so a key keeps its order.
 * - Topics are never auto-created: ensureTopics creates them (and their `.dlq`), publishing elsewhere fails.
 * - kafkajs quirk to know: one fetch per broker waits until every partition of that fetch is handled, so a
 *   partition busy retrying delays the next fetch of the other partitions led by the same broker.
 */
import { Kafka, Partitioners, type Admin, type Producer } from 'kafkajs';
import { AppError, unavailable } from '../../lib/errors.ts';
import type { Logger } from '../../lib/log.ts';
import { batchSettings, oneByOne } from '../../lib/queue-delivery.ts';
import { retry } from '../../lib/retry.ts';
import {
  dlqTopic,
  type BatchSubscribeOptions,
  type DeadLetter,
  type OutgoingMessage,
  type Queue,
  type SubscribeOptions,
  type Subscription,
} from '../../ports/queue.ts';
import { KafkaSubscription, type ConsumerTimings } from './consumer.ts';
import { KAFKA_LOG_LEVEL, pinoLogCreator } from './logging.ts';

export type { ConsumerTimings } from './consumer.ts';

export interface KafkaQueueOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly topicPrefix: string;
  readonly logger: Logger;
  /** Partitions of the topics ensureTopics creates (default 3). */
  readonly partitions?: number;
  /** Default: min(3, brokers in the cluster). */
  readonly replicationFactor?: number;
  readonly consumer?: ConsumerTimings;
  /** How long closing a subscription waits for its handler in flight (default 10 s). */
  readonly closeTimeoutMs?: number;
}

export async function createKafkaQueue(options: KafkaQueueOptions): Promise<KafkaQueue> {
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    logLevel: KAFKA_LOG_LEVEL,
    logCreator: pinoLogCreator(options.logger),
    retry: { retries: 5, initialRetryTime: 200 },
  });
  const admin = kafka.admin();
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  try {
    await admin.connect();
    await producer.connect();
  } catch (error) {
    await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
    throw unavailable('QUEUE.UNAVAILABLE', 'cannot connect to Kafka', error);
  }
  return new KafkaQueue({ options, kafka, admin, producer });
}

export class KafkaQueue implements Queue {
  readonly name = 'kafka';
  readonly #options: KafkaQueueOptions;
  readonly #kafka: Kafka;
  readonly #admin: Admin;
  readonly #producer: Producer;
  readonly #subscriptions = new Set<KafkaSubscription>();
  readonly #ensured = new Set<string>();
  #closed = false;

  constructor(parts: { options: KafkaQueueOptions; kafka: Kafka; admin: Admin; producer: Producer }) {
    this.#options = parts.options;
    this.#kafka = parts.kafka;
    this.#admin = parts.admin;
    this.#producer = parts.producer;
  }

  #wire(name: string): string {
    return this.#options.topicPrefix + name;
  }

  async ensureTopics(topics: readonly string[]): Promise<void> {
    this.#open();
    await this.#create([...new Set(topics.flatMap((t) => [t, dlqTopic(t)]))]);
  }

  async #create(names: readonly string[]): Promise<void> {
    const wire = names.map((n) => this.#wire(n));
    try {
      const replicationFactor =
        this.#options.replicationFactor ?? Math.min(3, (await this.#admin.describeCluster()).brokers.length);
      const numPartitions = this.#options.partitions ?? 3;
      // A busy controller (CI creates hundreds of topics at once) can time a request out; creating again
      // is harmless, since TOPIC_ALREADY_EXISTS is not an error and kafkajs then resolves false.
      await retry(
        () =>
          this.#admin.createTopics({
            topics: wire.map((topic) => ({ topic, numPartitions, replicationFactor })),
            waitForLeaders: true,
            timeout: 15_000,
          }),
        { attempts: 4, baseDelayMs: 250, maxDelayMs: 2_000, isRetriable: () => true },
      );
      // kafkajs skips its leader wait when some topics already existed; wait for all of them ourselves.
      await retry(
        async () => {
          const { topics } = await this.#admin.fetchTopicMetadata({ topics: wire });
          const ready = topics.every(
            (t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0),
          );
          if (topics.length < wire.length || !ready) throw new Error('topic metadata not ready');
        },
        { attempts: 60, baseDelayMs: 50, maxDelayMs: 1_000, isRetriable: () => true },
      );
    } catch (error) {
      const reason = error instanceof Error ? `: ${error.message}` : '';
      throw unavailable('QUEUE.UNAVAILABLE', `creating topics ${names.join(', ')} failed${reason}`, error);
    }
    for (const n of names) this.#ensured.add(n);
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    this.#open();
    if (messages.length === 0) return;
    let encoded: { key: string; value: string; headers: Record<string, string> }[];
    try {
      encoded = messages.map((m) => ({
        key: m.key,
        value: JSON.stringify(m.value ?? null),
        headers: { ...m.headers },
      }));
    } catch (error) {
      throw new AppError('QUEUE.INVALID_MESSAGE', `a message for ${topic} is not JSON-serializable`, {
        kind: 'INTERNAL',
        cause: error,
      });
    }
    // No retry() here: the producer already retries, and a blind resend after an ambiguous failure duplicates.
    try {
      await this.#producer.send({ topic: this.#wire(topic), acks: -1, messages: encoded });
    } catch (error) {
      throw unavailable('QUEUE.UNAVAILABLE', `publishing to ${topic} failed`, error);
    }
  }

  subscribe(options: SubscribeOptions): Promise<Subscription> {
    return this.subscribeBatch(oneByOne(options));
  }

  async subscribeBatch(options: BatchSubscribeOptions): Promise<Subscription> {
    this.#open();
    const subscription: KafkaSubscription = await KafkaSubscription.start({
      kafka: this.#kafka,
      options,
      batch: batchSettings(options),
      wireTopic: this.#wire(options.topic),
      groupId: this.#wire(options.group),
      timings: this.#options.consumer ?? {},
      concurrency: Math.max(2, this.#options.partitions ?? 3),
      closeTimeoutMs: this.#options.closeTimeoutMs ?? 10_000,
      logger: this.#options.logger.child({ topic: options.topic, group: options.group }),
      deadLetter: (topic, letters) => this.#deadLetter(topic, letters),
      onClosed: () => this.#subscriptions.delete(subscription),
    });
    this.#subscriptions.add(subscription);
    return subscription;
  }

  /** One send per batch. Safe to repeat: the producer is idempotent and a duplicate dead letter is harmless. */
  async #deadLetter(topic: string, letters: readonly DeadLetter[]): Promise<void> {
    const dlq = dlqTopic(topic);
    // A dead-letter topic's own failures land one level deeper, created on demand.
    if (!this.#ensured.has(dlq) && topic.endsWith('.dlq')) await this.#create([dlq]);
    const messages = letters.map((letter) => ({
      key: letter.original.key,
      value: letter,
      headers: letter.original.headers,
    }));
    await retry(() => this.publish(dlq, messages), {
      attempts: 5,
      baseDelayMs: 200,
      maxDelayMs: 5_000,
    });
  }

  async health(): Promise<void> {
    this.#open();
    try {
      await this.#admin.describeCluster();
    } catch (error) {
      throw unavailable('QUEUE.UNAVAILABLE', 'Kafka is unreachable', error);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#subscriptions].map((s) => s.close()));
    await Promise.allSettled([this.#producer.disconnect(), this.#admin.disconnect()]);
  }

  #open(): void {
    if (this.#closed) throw unavailable('QUEUE.UNAVAILABLE', 'the Kafka queue is closed');
  }
}
