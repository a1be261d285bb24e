import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AppError } from './errors.ts';
import { backoffDelay, defaultIsRetriable, retry } from './retry.ts';

const fast = { attempts: 4, baseDelayMs: 1, maxDelayMs: 4 };

test('retries a retriable failure until it succeeds', async () => {
  let calls = 0;
  const result = await retry(async () => {
    calls++;
    if (calls < 3) throw Object.assign(new Error('reset'), { code: 'ECONNRESET' });
    return 'ok';
  }, fast);
  assert.is(result, 'ok');
  assert.is(calls, 3);
});

test('gives up after the last attempt with the last error', async () => {
  let calls = 0;
  const err = await retry(async () => {
    calls++;
    throw new AppError('X.DOWN', 'down', { kind: 'UNAVAILABLE' });
  }, fast).catch((e: unknown) => e);
  assert.instance(err, AppError);
  assert.is(calls, 4);
});

test('never retries a 4xx or a programmer error', async () => {
  for (const error of [
    new TypeError('x is not a function'),
    new AppError('POC.INVALID', 'bad', { kind: 'INVALID' }),
    Object.assign(new Error('forbidden'), { $metadata: { httpStatusCode: 403 } }),
  ]) {
    let calls = 0;
    await retry(async () => {
      calls++;
      throw error;
    }, fast).catch(() => undefined);
    assert.is(calls, 1, String(error));
  }
  assert.ok(defaultIsRetriable(Object.assign(new Error('x'), { $metadata: { httpStatusCode: 503 } })));
});

test('backoff grows exponentially, capped, with full jitter', () => {
  assert.is(
    backoffDelay(0, 100, 1000, () => 1),
    100,
  );
  assert.is(
    backoffDelay(3, 100, 1000, () => 1),
    800,
  );
  assert.is(
    backoffDelay(10, 100, 1000, () => 1),
    1000,
  );
  assert.is(
    backoffDelay(10, 100, 1000, () => 0),
    0,
  );
  const seen = new Set(Array.from({ length: 50 }, () => backoffDelay(4, 100, 10_000)));
  assert.ok(seen.size > 10, 'jittered');
});

test.run();
