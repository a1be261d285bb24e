/**
 * One embedded subscription: an async loop per partition, each handling its partition strictly in offset
 * order, a batch of up to `maxMessages` at a time, and committing the batch's offsets only after the
 * handler resolved (or its DeadLetters were appended). A short batch waits up to `maxWaitMs` for more.
 */
import type { Logger } from '../../lib/log.ts';
import { deliver, type BatchSettings, type Undelivered } from '../../lib/queue-delivery.ts';
import { retry } from '../../lib/retry.ts';
import { TIMED_OUT, withTimeout } from '../../lib/timeout.ts';
import type { BatchSubscribeOptions, DeadLetter, RetryPolicy, Subscription } from '../../ports/queue.ts';
import type { GroupMembers, Wakeups } from './coordination.ts';
import type { QueueLog, StoredMessage } from './log.ts';

export interface ConsumerContext {
  readonly log: QueueLog;
  readonly wakeups: Wakeups;
  readonly members: GroupMembers;
  readonly partitions: number;
  readonly pollIntervalMs: number;
  readonly closeTimeoutMs: number;
  readonly logger: Logger;
  readonly retry: RetryPolicy;
  readonly batch: BatchSettings;
  readonly deadLetter: (topic: string, letters: readonly DeadLetter[]) => void;
  readonly onClosed: () => void;
}

/** Rows read from the log at once, at least: single-message subscriptions read ahead too. */
const READ_AHEAD = 100;

export class EmbeddedSubscription implements Subscription {
  readonly #options: BatchSubscribeOptions;
  readonly #context: ConsumerContext;
  readonly #id = Symbol('member');
  readonly #abort = new AbortController();
  readonly #loops: Promise<void>[] = [];
  #closing: Promise<void> | undefined;

  constructor(options: BatchSubscribeOptions, context: ConsumerContext) {
    this.#options = options;
    this.#context = context;
  }

  /** Joins the group and starts the partition loops (kept out of the constructor: handlers run from here). */
  start(): this {
    this.#context.members.join(this.#id);
    this.#context.wakeups.notify(this.#options.topic);
    for (let p = 0; p < this.#context.partitions; p++) this.#loops.push(this.#runSafely(p));
    return this;
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#abort.abort();
    const finished =
      (await withTimeout(Promise.all(this.#loops), this.#context.closeTimeoutMs)) !== TIMED_OUT;
    if (!finished) {
      this.#context.logger.warn(
        { topic: this.#options.topic, group: this.#options.group },
        'queue handlers still running at close; their messages will be delivered again',
      );
    }
    this.#context.members.leave(this.#id);
    this.#context.wakeups.notify(this.#options.topic);
    this.#context.onClosed();
  }

  async #runSafely(partition: number): Promise<void> {
    try {
      await this.#run(partition);
    } catch (error) {
      if (!this.#abort.signal.aborted) {
        this.#context.logger.error(
          { err: error, topic: this.#options.topic, partition },
          'queue loop stopped',
        );
      }
    } finally {
      if (this.#context.members.release(this.#id, partition))
        this.#context.wakeups.notify(this.#options.topic);
    }
  }

  async #run(partition: number): Promise<void> {
    const { topic, group } = this.#options;
    const { log, members, wakeups, pollIntervalMs } = this.#context;
    const { maxMessages, maxWaitMs } = this.#context.batch;
    const signal = this.#abort.signal;
    let position: number | undefined;
    while (!signal.aborted) {
      if (!members.assigned(this.#id, partition)) {
        position = undefined;
        if (members.release(this.#id, partition)) wakeups.notify(topic);
        await wakeups.wait(topic, pollIntervalMs, signal);
        continue;
      }
      if (!members.acquire(this.#id, partition)) {
        await wakeups.wait(topic, pollIntervalMs, signal);
        continue;
      }
      // Another member may have moved the group on since this loop last held the partition.
      position ??= log.committed(group, topic, partition) ?? 0;
      const rows = log.read(topic, partition, position, Math.max(READ_AHEAD, maxMessages));
      if (rows.length === 0) {
        await wakeups.wait(topic, pollIntervalMs, signal);
        continue;
      }
      if (rows.length < maxMessages && maxWaitMs > 0) await this.#fill(partition, rows);
      for (let start = 0; start < rows.length; start += maxMessages) {
        if (signal.aborted || !members.assigned(this.#id, partition)) break;
        const batch = rows.slice(start, start + maxMessages);
        if (!(await this.#handle(partition, batch))) return;
        position = batch[batch.length - 1]!.offset + 1;
      }
    }
  }

  /** Appends to `rows` what is published to the partition within maxWaitMs, until the batch is full. */
  async #fill(partition: number, rows: StoredMessage[]): Promise<void> {
    const { topic } = this.#options;
    const { log, wakeups, batch } = this.#context;
    const deadline = Date.now() + batch.maxWaitMs;
    for (let left = batch.maxWaitMs; rows.length < batch.maxMessages && left > 0;) {
      await wakeups.wait(topic, left, this.#abort.signal);
      if (this.#abort.signal.aborted) return;
      const from = rows[rows.length - 1]!.offset + 1;
      rows.push(...log.read(topic, partition, from, batch.maxMessages - rows.length));
      left = deadline - Date.now();
    }
  }

  /** False when the consumer is closing and the batch must stay uncommitted. */
  async #handle(partition: number, rows: readonly StoredMessage[]): Promise<boolean> {
    const { topic, group, handler } = this.#options;
    const signal = this.#abort.signal;
    const messages = rows.map((stored): Undelivered => ({
      topic,
      partition,
      offset: String(stored.offset),
      key: stored.key,
      value: JSON.parse(stored.value) as unknown,
      headers: JSON.parse(stored.headers) as Record<string, string>,
    }));
    const outcome = await deliver({
      messages,
      handler,
      policy: this.#options.retry ?? this.#context.retry,
      signal,
      logger: this.#context.logger,
    });
    if (outcome.kind === 'aborted' || outcome.kind === 'interrupted') return false;
    if (outcome.kind === 'dead') {
      const letters = outcome.letters;
      await this.#persist(() => this.#context.deadLetter(topic, letters));
    }
    const next = rows[rows.length - 1]!.offset + 1;
    await this.#persist(() => this.#context.log.commit(group, topic, partition, next));
    return true;
  }

  /** Local writes rarely fail (disk full, I/O); keep trying rather than skip a commit or a dead letter. */
  #persist(write: () => void): Promise<void> {
    return retry(async () => write(), {
      attempts: Number.POSITIVE_INFINITY,
      baseDelayMs: 100,
      maxDelayMs: 5_000,
      isRetriable: () => true,
      onRetry: (error) => this.#context.logger.error({ err: error }, 'queue log write failed, retrying'),
      signal: this.#abort.signal,
    });
  }
}
