/**
 * The embedded queue: a durable, partitioned log in `<dataDir>/queue.db` (node:sqlite) with Kafka's
 * semantics for one process — per-key order, consumer groups, at-least-once, retries then `<topic>.dlq`.
 *
 * - Partitioning: Kafka's murmur2 of the key (partitioner.ts). A topic keeps the partition count it was
 *   created with, so keys never move; `partitions` only applies to topics this instance creates.
 * - One process per data dir: the SQLite file is held with an exclusive lock and a second opener gets
 *   QUEUE.LOCKED. Several subscriptions of one group in this process share the partitions round-robin.
 * - Retention: a message is deleted once it is older than `retentionMs` (default 7 days) and every group
 *   with an offset on its partition has committed past it; swept at open and every `sweepIntervalMs`.
 * - Topics must exist (ensureTopics) before publish/subscribe: a typo fails loudly instead of going nowhere.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { AppError, unavailable } from '../../lib/errors.ts';
import type { Logger } from '../../lib/log.ts';
import { batchSettings, oneByOne } from '../../lib/queue-delivery.ts';
import {
  DEFAULT_RETRY,
  dlqTopic,
  type BatchSubscribeOptions,
  type DeadLetter,
  type OutgoingMessage,
  type Queue,
  type SubscribeOptions,
  type Subscription,
} from '../../ports/queue.ts';
import { GroupMembers, Wakeups } from './coordination.ts';
import { EmbeddedSubscription } from './consumer.ts';
import { QueueLog, type AppendRow } from './log.ts';
import { partitionFor } from './partitioner.ts';

export interface EmbeddedQueueOptions {
  readonly dataDir: string;
  readonly logger: Logger;
  /** Partitions of the topics this instance creates (default 4). */
  readonly partitions?: number;
  /** Safety-net poll of idle partition loops; a publish wakes them at once anyway (default 1000). */
  readonly pollIntervalMs?: number;
  /** Default 7 days. */
  readonly retentionMs?: number;
  /** Default 10 minutes. */
  readonly sweepIntervalMs?: number;
  /** How long close() waits for handlers in flight (default 10 s). */
  readonly closeTimeoutMs?: number;
}

const DAY_MS = 86_400_000;

export class EmbeddedQueue implements Queue {
  readonly name = 'embedded';
  readonly #log: QueueLog;
  readonly #logger: Logger;
  readonly #partitions: number;
  readonly #pollIntervalMs: number;
  readonly #retentionMs: number;
  readonly #closeTimeoutMs: number;
  readonly #wakeups = new Wakeups();
  readonly #groups = new Map<string, GroupMembers>();
  readonly #subscriptions = new Set<EmbeddedSubscription>();
  readonly #sweep: NodeJS.Timeout;
  #closed = false;

  constructor(options: EmbeddedQueueOptions) {
    this.#logger = options.logger;
    this.#partitions = options.partitions ?? 4;
    this.#pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.#retentionMs = options.retentionMs ?? 7 * DAY_MS;
    this.#closeTimeoutMs = options.closeTimeoutMs ?? 10_000;
    if (!Number.isInteger(this.#partitions) || this.#partitions < 1) {
      throw new AppError('QUEUE.CONFIG', 'partitions must be a positive integer', { kind: 'INTERNAL' });
    }
    mkdirSync(options.dataDir, { recursive: true });
    this.#log = new QueueLog(path.join(options.dataDir, 'queue.db'));
    this.prune();
    this.#sweep = setInterval(() => this.prune(), options.sweepIntervalMs ?? 600_000).unref();
  }

  async ensureTopics(topics: readonly string[]): Promise<void> {
    this.#open();
    const now = Date.now();
    this.#write(() => {
      for (const topic of topics) {
        this.#log.createTopic(topic, this.#partitions, now);
        this.#log.createTopic(dlqTopic(topic), this.#partitions, now);
      }
    });
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    this.#open();
    this.#append(topic, messages);
  }

  subscribe(options: SubscribeOptions): Promise<Subscription> {
    return this.subscribeBatch(oneByOne(options));
  }

  async subscribeBatch(options: BatchSubscribeOptions): Promise<Subscription> {
    this.#open();
    const batch = batchSettings(options);
    const partitions = this.#partitionsOf(options.topic);
    this.#write(() => {
      for (let p = 0; p < partitions; p++) {
        this.#log.initOffset(options.group, options.topic, p, options.fromBeginning ?? true);
      }
    });
    const groupKey = `${options.group}\u0000${options.topic}`;
    let members = this.#groups.get(groupKey);
    if (!members) {
      members = new GroupMembers();
      this.#groups.set(groupKey, members);
    }
    const group = members;
    const subscription: EmbeddedSubscription = new EmbeddedSubscription(options, {
      log: this.#log,
      wakeups: this.#wakeups,
      members: group,
      partitions,
      pollIntervalMs: this.#pollIntervalMs,
      closeTimeoutMs: this.#closeTimeoutMs,
      logger: this.#logger.child({ topic: options.topic, group: options.group }),
      retry: DEFAULT_RETRY,
      batch,
      deadLetter: (topic, letters) => this.#deadLetter(topic, letters),
      onClosed: () => {
        this.#subscriptions.delete(subscription);
        if (group.empty && this.#groups.get(groupKey) === group) this.#groups.delete(groupKey);
      },
    });
    this.#subscriptions.add(subscription);
    return subscription.start();
  }

  async health(): Promise<void> {
    this.#open();
    this.#write(() => this.#log.ping());
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#sweep);
    await Promise.all([...this.#subscriptions].map((s) => s.close()));
    this.#log.close();
  }

  /** Applies retention now; returns how many messages were deleted. */
  prune(now = Date.now()): number {
    try {
      return this.#log.prune(now - this.#retentionMs);
    } catch (error) {
      this.#logger.error({ err: error }, 'queue retention sweep failed');
      return 0;
    }
  }

  /** Appends a batch's dead letters in one transaction. */
  #deadLetter(topic: string, letters: readonly DeadLetter[]): void {
    const dlq = dlqTopic(topic);
    // A dead-letter topic's own failures land one level deeper, created on demand.
    if (this.#log.partitions(dlq) === undefined) this.#log.createTopic(dlq, this.#partitions, Date.now());
    this.#append(
      dlq,
      letters.map((letter) => ({
        key: letter.original.key,
        value: letter,
        headers: letter.original.headers,
      })),
    );
  }

  #append(topic: string, messages: readonly OutgoingMessage[]): void {
    const partitions = this.#partitionsOf(topic);
    let rows: AppendRow[];
    try {
      rows = messages.map((m) => ({
        partition: partitionFor(m.key, partitions),
        key: m.key,
        value: JSON.stringify(m.value ?? null),
        headers: JSON.stringify(m.headers ?? {}),
      }));
    } catch (error) {
      throw new AppError('QUEUE.INVALID_MESSAGE', `a message for ${topic} is not JSON-serializable`, {
        kind: 'INTERNAL',
        cause: error,
      });
    }
    if (rows.length === 0) return;
    this.#write(() => this.#log.append(topic, rows, Date.now()));
    this.#wakeups.notify(topic);
  }

  #partitionsOf(topic: string): number {
    const partitions = this.#write(() => this.#log.partitions(topic));
    if (partitions === undefined) {
      throw new AppError('QUEUE.UNKNOWN_TOPIC', `topic ${topic} does not exist (call ensureTopics first)`, {
        kind: 'INTERNAL',
      });
    }
    return partitions;
  }

  #write<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      throw unavailable('QUEUE.UNAVAILABLE', 'the embedded queue log failed', error);
    }
  }

  #open(): void {
    if (this.#closed) throw unavailable('QUEUE.UNAVAILABLE', 'the embedded queue is closed');
  }
}
