import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MemoryCache } from '../../adapters/cache-memory/index.ts';
import { isAppError } from '../../lib/errors.ts';
import { DEFAULT_OPTIONS } from './options.ts';
import { LoginThrottle, lockSeconds } from './throttle.ts';

const s = suite('accounts: login throttle');
const rule = DEFAULT_OPTIONS.throttlePerAccount;

async function retryAfter(check: Promise<void>): Promise<number | undefined> {
  try {
    await check;
    return undefined;
  } catch (error) {
    if (isAppError(error) && error.kind === 'THROTTLED') return error.retryAfterSeconds;
    throw error;
  }
}

s('lock schedule: five free failures, then 2^(n-5) s, capped at 15 minutes', () => {
  assert.equal(
    [1, 5, 6, 7, 10, 14, 15, 100].map((n) => lockSeconds(n, rule)),
    [0, 0, 2, 4, 32, 512, 900, 900],
  );
});

s('the sixth failure locks the account with a Retry-After; the address has its own budget', async () => {
  const cache = new MemoryCache();
  const throttle = new LoginThrottle({ cache, perAccount: rule, perAddress: { ...rule, freeFailures: 20 } });
  for (let i = 0; i < 5; i++) await throttle.failure('alice', '10.0.0.1');
  assert.is(await retryAfter(throttle.check('alice', '10.0.0.1')), undefined);
  await throttle.failure('alice', '10.0.0.1');
  const wait = await retryAfter(throttle.check('alice', '10.0.0.2'));
  assert.ok(wait !== undefined && wait >= 1 && wait <= 2, `waits ${wait}`);
  assert.is(
    await retryAfter(throttle.check('bob', '10.0.0.1')),
    undefined,
    'other accounts from the address go on',
  );
  await cache.close();
});

s('a success clears the account counter, not the address one', async () => {
  const cache = new MemoryCache();
  const throttle = new LoginThrottle({ cache, perAccount: rule, perAddress: { ...rule, freeFailures: 5 } });
  for (let i = 0; i < 5; i++) await throttle.failure('carol', '10.0.0.9');
  await throttle.success('carol');
  await throttle.failure('carol', '10.0.0.9');
  assert.is(await retryAfter(throttle.check('carol', '10.0.0.8')), undefined, 'the account starts over');
  const wait = await retryAfter(throttle.check('dave', '10.0.0.9'));
  assert.ok(wait !== undefined, 'the sixth failure from the address locked it');
  await cache.close();
});

s('usernames are counted case-insensitively', async () => {
  const cache = new MemoryCache();
  const throttle = new LoginThrottle({ cache, perAccount: rule, perAddress: { ...rule, freeFailures: 100 } });
  for (let i = 0; i < 6; i++) await throttle.failure(i % 2 ? 'Erin' : 'erin', `10.0.1.${i}`);
  assert.ok((await retryAfter(throttle.check('ERIN', '10.0.2.1'))) !== undefined);
  await cache.close();
});

s.run();
