import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { chunked, mapLimit, shuffled } from './batches.ts';
import {
  BUCKET_MS,
  SETTLE_MS,
  advancedCursor,
  bucketOf,
  inTime,
  placementBucket,
  retryDelayMs,
} from './buckets.ts';

const s = suite('scheduler: buckets and batches');
const T = Date.UTC(2030, 0, 1, 12, 0, 0);

s('a bucket is named by the start of its minute', () => {
  assert.is(bucketOf(T), T);
  assert.is(bucketOf(T + BUCKET_MS - 1), T);
  assert.is(bucketOf(T + BUCKET_MS), T + BUCKET_MS);
});

s('a task due in the past is indexed in the current bucket, a future one in its own', () => {
  assert.is(placementBucket(T - 3_600_000, T + 5), T);
  assert.is(placementBucket(T + 10 * BUCKET_MS + 7, T), T + 10 * BUCKET_MS);
});

s('an index write is in time within half the settle time of choosing its bucket', () => {
  assert.ok(inTime(T, T + SETTLE_MS / 2));
  assert.not.ok(inTime(T, T + SETTLE_MS / 2 + 1));
});

s(
  'the cursor passes leading emptied buckets that ended a settle time ago, and stops at the first other',
  () => {
    const now = T + 10 * BUCKET_MS;
    const cursor = T;
    assert.is(advancedCursor(cursor, [true, true, false, true], now), T + 2 * BUCKET_MS);
    assert.is(advancedCursor(cursor, [false, true], now), T);
    assert.is(advancedCursor(cursor, [], now), T);
    // Bucket T + 8 min ends at T + 9 min: not settled at T + 10 min when SETTLE_MS is a minute or more.
    const all = Array.from({ length: 11 }, () => true);
    const settledBefore = now - SETTLE_MS - BUCKET_MS;
    assert.is(advancedCursor(cursor, all, now), bucketOf(settledBefore) + BUCKET_MS);
  },
);

s('retries back off from 1 s, doubling, capped at 5 minutes', () => {
  assert.equal([1, 2, 3, 10, 30].map(retryDelayMs), [1000, 2000, 4000, 300_000, 300_000]);
});

s('mapLimit keeps order and the bound on calls in flight', async () => {
  let inFlight = 0;
  let most = 0;
  const out = await mapLimit([5, 1, 4, 2, 3], 2, async (n) => {
    most = Math.max(most, ++inFlight);
    await new Promise((r) => setTimeout(r, n));
    inFlight--;
    return n * 10;
  });
  assert.equal(out, [50, 10, 40, 20, 30]);
  assert.is(most, 2);
});

s('shuffled is a permutation; chunked bounds items and bytes and never drops one', () => {
  const items = Array.from({ length: 50 }, (_, i) => i);
  assert.equal(
    [...shuffled(items)].sort((a, b) => a - b),
    items,
  );
  const chunks = chunked(items, 8, 30, (n) => (n === 20 ? 100 : 2));
  assert.equal(chunks.flat(), items);
  assert.ok(chunks.every((c) => c.length > 0 && c.length <= 8));
  assert.ok(
    chunks.some((c) => c.length === 1 && c[0] === 20),
    'an item over the byte bound goes alone',
  );
});

s.run();
