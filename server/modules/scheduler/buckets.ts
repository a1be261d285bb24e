/**
 * The time arithmetic of the due-time index, pure. A bucket is named by the epoch ms of its start; its
 * width is part of the data layout (changing it would strand rows in partitions nobody scans).
 */
export const BUCKET_MS = 60_000;

/**
 * How long after a bucket's end the cursor may pass it. A writer measures each index write from the moment
 * it chose the bucket and writes again (into a fresh bucket) when it took longer than half of this, so
 * with node clocks within SETTLE_MS / 2 of each other no write lands in a bucket the cursor has passed.
 */
export const SETTLE_MS = 60_000;

/** Buckets one poll scans at most: a day of downtime is caught up in six polls. */
export const MAX_BUCKETS_PER_POLL = 240;

export const bucketOf = (ms: number): number => Math.floor(ms / BUCKET_MS) * BUCKET_MS;

/**
 * Where a task due at `runAt` is indexed when written at `now`: its own bucket, or the current one when it
 * is already due (a bucket in the past may be behind the cursor).
 */
export const placementBucket = (runAt: number, now: number): number => bucketOf(Math.max(runAt, now));

/** Whether an index write that chose its bucket at `chosenAt` finished in time (else: write again). */
export const inTime = (chosenAt: number, now: number): boolean => now - chosenAt <= SETTLE_MS / 2;

/** The delay before a task whose publish failed `attempts` times is tried again: 1 s doubling, ≤ 5 min. */
export const retryDelayMs = (attempts: number): number =>
  Math.min(1000 * 2 ** Math.max(0, attempts - 1), 300_000);

/**
 * The cursor after a poll that started at `now` and scanned consecutive buckets from `cursor`, `done[i]`
 * telling whether bucket i was emptied of due tasks: it passes every leading bucket that is done and ended
 * at least SETTLE_MS ago, and stops at the first that is not.
 */
export function advancedCursor(cursor: number, done: readonly boolean[], now: number): number {
  let next = cursor;
  for (const emptied of done) {
    if (!emptied || next + BUCKET_MS + SETTLE_MS > now) break;
    next += BUCKET_MS;
  }
  return next;
}
