import { randomUUID } from 'node:crypto';
import type { Logger } from '../../lib/log.ts';
import type { OutgoingMessage, Queue } from '../../ports/queue.ts';
import { chunked, mapLimit, shuffled } from './batches.ts';
import {
  BUCKET_MS,
  MAX_BUCKETS_PER_POLL,
  SETTLE_MS,
  advancedCursor,
  bucketOf,
  placementBucket,
  retryDelayMs,
} from './buckets.ts';
import type { SchedulerMetrics } from './metrics.ts';
import type { IndexRow, SchedulerRepo } from './repo.ts';
import { placeIndex } from './scheduler.ts';

export interface PollerOptions {
  readonly repo: SchedulerRepo;
  readonly queue: Queue;
  readonly now: () => number;
  readonly logger: Logger;
  readonly metrics: SchedulerMetrics;
  readonly claimTimeoutMs: number;
  readonly batchSize: number;
}

const PAGE = 200;
const IN_FLIGHT = 16;
/** One publish call stays well under Kafka's default 1 MB record batch. */
const PUBLISH_ITEMS = 100;
const PUBLISH_BYTES = 512 * 1024;

/** What one poll made of an index entry. `waiting`: due and not handed over (the lag counts it). */
type Verdict =
  | {
      readonly kind: 'claimed';
      readonly row: IndexRow;
      readonly claim: string;
      readonly attempts: number;
      readonly taken: boolean;
    }
  | { readonly kind: 'settled' }
  | { readonly kind: 'pending'; readonly waiting: boolean; readonly row: IndexRow };
type Claimed = Extract<Verdict, { kind: 'claimed' }>;

const message = (row: IndexRow): OutgoingMessage => ({
  key: row.taskId,
  value: { ...row.payload },
  headers: { 'scheduled-run-at': new Date(row.runAt).toISOString(), 'scheduled-version': row.version },
});

/**
 * One poll of the due-time index (a periodic task of workers nodes): scans the buckets from the cursor to
 * now, claims each due entry (lightweight transaction on the task's row), publishes what it claimed,
 * then deletes the row and the entry; moves the cursor past the leading buckets it emptied.
 */
export class Poller {
  readonly #o: PollerOptions;

  constructor(options: PollerOptions) {
    this.#o = options;
  }

  async poll(): Promise<void> {
    const { repo, metrics } = this.#o;
    const now = this.#o.now();
    const cursor = (await repo.cursor()) ?? (await repo.initCursor(bucketOf(now - SETTLE_MS)));
    const done: boolean[] = [];
    let budget = this.#o.batchSize;
    let oldest = Infinity;
    for (let b = cursor; b <= now && done.length < MAX_BUCKETS_PER_POLL && budget > 0; b += BUCKET_MS) {
      const scan = await this.#scan(b, now, budget);
      done.push(scan.done);
      budget -= scan.read;
      oldest = Math.min(oldest, scan.oldest);
    }
    metrics.lag(oldest === Infinity ? 0 : Math.max(0, now - oldest) / 1000);
    const next = advancedCursor(cursor, done, now);
    if (next > cursor) await repo.moveCursor(cursor, next);
  }

  async #scan(bucket: number, now: number, budget: number) {
    let pageState: string | undefined;
    let read = 0;
    let done = true;
    let oldest = Infinity;
    do {
      const page = await this.#o.repo.due(bucket, now, Math.min(PAGE, budget - read), pageState);
      read += page.rows.length;
      const handled = await this.#handle(page.rows, now);
      done &&= handled.done;
      oldest = Math.min(oldest, handled.oldest);
      pageState = page.pageState;
    } while (pageState !== undefined && read < budget);
    return { done: done && pageState === undefined, read, oldest };
  }

  async #handle(rows: readonly IndexRow[], now: number): Promise<{ done: boolean; oldest: number }> {
    const verdicts = await mapLimit(shuffled(rows), IN_FLIGHT, (row) => this.#claim(row, now));
    let oldest = Infinity;
    for (const v of verdicts) {
      if (v.kind === 'claimed' || (v.kind === 'pending' && v.waiting)) oldest = Math.min(oldest, v.row.runAt);
    }
    const claimed = verdicts.filter((v): v is Claimed => v.kind === 'claimed');
    const byTopic = Map.groupBy(claimed, (v) => v.row.topic);
    let done = verdicts.every((v) => v.kind !== 'pending');
    for (const [topic, group] of byTopic) {
      const size = (v: Claimed) => Buffer.byteLength(JSON.stringify(v.row.payload)) + 200;
      for (const chunk of chunked(group, PUBLISH_ITEMS, PUBLISH_BYTES, size)) {
        done = (await this.#publish(topic, chunk)) && done;
      }
    }
    return { done, oldest };
  }

  /** Claims a due entry, takes a stale claim over, or drops an entry whose version is not current. */
  async #claim(row: IndexRow, now: number): Promise<Verdict> {
    const { repo, metrics } = this.#o;
    const claim = randomUUID();
    try {
      // Stamped when made (a long catch-up poll must not hand out claims that already look old).
      const first = await repo.claim(row.taskId, row.version, claim, this.#o.now());
      if (first.applied) return { kind: 'claimed', row, claim, attempts: row.attempts, taken: false };
      const current = first.current;
      if (!current || current.version !== row.version) {
        // Done, cancelled or moved. A move that died before writing its own entry gets one now (a
        // duplicate entry of one version is harmless: only one claim of it can win).
        await repo.dropIndex(row);
        if (current?.state === 'S') await placeIndex(repo, this.#o.now, current);
        metrics.counted('stale_dropped');
        return { kind: 'settled' };
      }
      if (current.state === 'C' && now - current.claimedAt > this.#o.claimTimeoutMs) {
        const taken = await repo.claim(row.taskId, row.version, claim, this.#o.now(), current.claim);
        if (taken.applied) return { kind: 'claimed', row, claim, attempts: current.attempts, taken: true };
      }
      return { kind: 'pending', waiting: false, row };
    } catch (error) {
      this.#o.logger.warn({ err: error, taskId: row.taskId }, 'scheduled task not claimed; next poll');
      return { kind: 'pending', waiting: true, row };
    }
  }

  /** Publishes claimed tasks of one topic, then records each as done, or as due again later on failure. */
  async #publish(topic: string, chunk: readonly Claimed[]): Promise<boolean> {
    const { queue, metrics, logger } = this.#o;
    let published = false;
    try {
      await queue.publish(
        topic,
        chunk.map((v) => message(v.row)),
      );
      published = true;
      const republished = chunk.filter((v) => v.taken).length;
      metrics.counted('published', chunk.length - republished);
      metrics.counted('republished', republished);
    } catch (error) {
      metrics.counted('publish_failed', chunk.length);
      logger.warn(
        { err: error, topic, tasks: chunk.length },
        'scheduled tasks not published; retrying later',
      );
    }
    const settled = await mapLimit(chunk, IN_FLIGHT, async (v) => {
      try {
        return published ? await this.#finish(v) : await this.#retryLater(v);
      } catch (error) {
        logger.warn({ err: error, taskId: v.row.taskId }, 'scheduled task not settled; next poll');
        return false;
      }
    });
    return settled.every(Boolean);
  }

  /** The row goes unless it was moved, cancelled or taken over meanwhile; the entry goes either way. */
  async #finish(v: Claimed): Promise<boolean> {
    await this.#o.repo.deleteTask(v.row.taskId, v.row.version, v.claim);
    await this.#o.repo.dropIndex(v.row);
    return true;
  }

  /** Gives the claim back with the task due again after a backoff, in a new entry of the same version. */
  async #retryLater(v: Claimed): Promise<boolean> {
    const { repo } = this.#o;
    const at = this.#o.now();
    const attempts = v.attempts + 1;
    const runAt = at + retryDelayMs(attempts);
    const task = { ...v.row, runAt, attempts, bucket: placementBucket(runAt, at) };
    const released = await repo.release({ ...task, state: 'S', claim: v.claim, claimedAt: 0 }, v.claim);
    // Refused: moved, cancelled or taken over; the entry stays for the next poll to sort out.
    if (!released) return false;
    await placeIndex(repo, this.#o.now, task, at);
    await repo.dropIndex(v.row);
    return true;
  }
}
