import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CircuitBreaker, type BreakerState } from './breaker.ts';

function clock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

test('opens after consecutive failures, fails fast, then lets one trial through', async () => {
  const c = clock();
  const changes: BreakerState[] = [];
  const breaker = new CircuitBreaker({
    name: 'redis',
    failureThreshold: 2,
    resetTimeoutMs: 1000,
    now: c.now,
    onStateChange: (s) => changes.push(s),
  });
  const fail = () => Promise.reject(new Error('down'));
  let calls = 0;
  const counted = () => {
    calls++;
    return Promise.resolve('up');
  };
  await breaker.call(fail).catch(() => undefined);
  assert.is(breaker.state, 'closed');
  await breaker.call(fail).catch(() => undefined);
  assert.is(breaker.state, 'open');
  const fast = await breaker.call(counted).catch((e: { code: string }) => e.code);
  assert.is(fast, 'BREAKER.OPEN');
  assert.is(calls, 0);
  c.advance(1000);
  assert.is(breaker.state, 'half-open');
  assert.is(await breaker.call(counted), 'up');
  assert.is(breaker.state, 'closed');
  assert.equal(changes, ['open', 'closed']);
});

test('a failed trial opens the circuit again at once', async () => {
  const c = clock();
  const breaker = new CircuitBreaker({ name: 'x', failureThreshold: 1, resetTimeoutMs: 100, now: c.now });
  await breaker.call(() => Promise.reject(new Error('down'))).catch(() => undefined);
  c.advance(100);
  await breaker.call(() => Promise.reject(new Error('still down'))).catch(() => undefined);
  assert.is(breaker.state, 'open');
});

test('a slow call counts as a failure', async () => {
  const breaker = new CircuitBreaker({
    name: 'slow',
    failureThreshold: 1,
    resetTimeoutMs: 1000,
    callTimeoutMs: 10,
  });
  const err = await breaker
    .call(() => new Promise((r) => setTimeout(r, 200)))
    .catch((e: { code: string }) => e.code);
  assert.is(err, 'BREAKER.TIMEOUT');
  assert.is(breaker.state, 'open');
});

test('errors the caller caused do not count against the dependency', async () => {
  const breaker = new CircuitBreaker({
    name: 'x',
    failureThreshold: 1,
    resetTimeoutMs: 1000,
    isFailure: (e) => (e as Error).message !== 'bad request',
  });
  await breaker.call(() => Promise.reject(new Error('bad request'))).catch(() => undefined);
  assert.is(breaker.state, 'closed');
});

test.run();
