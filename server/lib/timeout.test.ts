import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TIMED_OUT, withTimeout } from './timeout.ts';

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
const never = () => new Promise<never>(() => undefined);

test('settles like the work when it finishes in time, and clears its timer', async () => {
  const before = timers();
  assert.is(await withTimeout(Promise.resolve('up'), 10_000), 'up');
  assert.is(
    await withTimeout(
      async () => 'fn',
      10_000,
      () => new Error('late'),
    ),
    'fn',
  );
  const err = await withTimeout(Promise.reject(new Error('down')), 10_000).catch((e: unknown) => e);
  assert.instance(err, Error);
  assert.is((err as Error).message, 'down');
  assert.is(timers(), before);
});

test('resolves to TIMED_OUT when the work is late and no error was asked for', async () => {
  const before = timers();
  assert.is(await withTimeout(never(), 5), TIMED_OUT);
  assert.is(await withTimeout(sleep(1000, 'late'), 5), TIMED_OUT);
  assert.is(timers(), before + 1, 'only the late sleep itself is still pending');
});

test('rejects with the error onTimeout returns, built only at the deadline', async () => {
  let built = 0;
  const late = () => {
    built++;
    return new Error('timeout');
  };
  await withTimeout(Promise.resolve(1), 50, late);
  assert.is(built, 0);
  const err = await withTimeout(never, 5, late).catch((e: unknown) => e);
  assert.is((err as Error).message, 'timeout');
  assert.is(built, 1);
  const thrown = await withTimeout(never(), 5, () => {
    throw new Error('thrown');
  }).catch((e: unknown) => e);
  assert.is((thrown as Error).message, 'thrown');
});

test('a synchronous throw of the work function becomes a rejection, with no timer started', async () => {
  const before = timers();
  const pending = withTimeout(() => {
    throw new Error('sync');
  }, 10_000);
  assert.is(timers(), before);
  const err = await pending.catch((e: unknown) => e);
  assert.is((err as Error).message, 'sync');
});

test('the losing work rejecting later leaves no unhandled rejection', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const loser = sleep(20).then(() => {
      throw new Error('too late');
    });
    assert.is(await withTimeout(loser, 1), TIMED_OUT);
    const err = await withTimeout(
      sleep(20).then(() => Promise.reject(new Error('too late'))),
      1,
      () => new Error('timeout'),
    ).catch((e: unknown) => e);
    assert.is((err as Error).message, 'timeout');
    await sleep(50);
    assert.equal(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

test.run();
