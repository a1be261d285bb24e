import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MemoryCache } from '../../adapters/cache-memory/index.ts';
import { isAppError } from '../../lib/errors.ts';
import { DEFAULT_OPTIONS } from './options.ts';
import { LoginThrottle, lockSeconds } from './throttle.ts';

const s = suite('accounts: login throttle');
const rule = DEFAULT_OPTIONS.throttlePerAccount;
const signUpPerAddress = DEFAULT_OPTIONS.throttleSignUpPerAddress;

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
  const throttle = new LoginThrottle({
    cache,
    perAccount: rule,
    perAddress: { ...rule, freeFailures: 20 },
    signUpPerAddress,
  });
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
  const throttle = new LoginThrottle({
    cache,
    perAccount: rule,
    perAddress: { ...rule, freeFailures: 5 },
    signUpPerAddress,
  });
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
  const throttle = new LoginThrottle({
    cache,
    perAccount: rule,
    perAddress: { ...rule, freeFailures: 100 },
    signUpPerAddress,
  });
  for (let i = 0; i < 6; i++) await throttle.failure(i % 2 ? 'Erin' : 'erin', `10.0.1.${i}`);
  assert.ok((await retryAfter(throttle.check('ERIN', '10.0.2.1'))) !== undefined);
  await cache.close();
});

/** A MemoryCache that remembers every key it was asked about. */
function recordingCache(options: ConstructorParameters<typeof MemoryCache>[0] = {}) {
  const keys = new Set<string>();
  const cache = new MemoryCache(options);
  const seen =
    <A extends unknown[], R>(fn: (key: string, ...rest: A) => Promise<R>) =>
    (key: string, ...rest: A) => {
      keys.add(key);
      return fn.call(cache, key, ...rest);
    };
  cache.incr = seen(cache.incr);
  cache.ttl = seen(cache.ttl);
  cache.set = seen(cache.set);
  cache.expire = seen(cache.expire);
  return { cache, keys };
}

s(
  'key building is total: any string (lone surrogates, NUL, emoji, 10 KB) makes a short, distinct key',
  async () => {
    const { cache, keys } = recordingCache();
    const throttle = new LoginThrottle({ cache, perAccount: rule, perAddress: rule, signUpPerAddress });
    const long = 'a'.repeat(10_000);
    const nasty = [
      'a\uD800b',
      '\uDFFF',
      'nul\u0000here',
      '😀😀',
      long,
      `${long}x`,
      `${long}y`,
      '',
      '%',
      'a/b:c',
    ];
    for (const id of nasty) {
      await throttle.failure(id, id);
      await throttle.check(id, id);
      await throttle.success(id);
      await throttle.admitSignUp(id);
    }
    assert.ok(
      [...keys].every((k) => k.length < 100 && /^[\x21-\x7e]+$/.test(k)),
      [...keys].join('\n'),
    );
    const failKeys = [...keys].filter((k) => k.includes(':fail:user:'));
    assert.is(failKeys.length, nasty.length, 'no two ids share a key (no truncation)');
    await cache.close();
  },
);

s(
  'sign-ups: `limit` per address in a fixed window, exactly `limit` of a concurrent burst, then 429',
  async () => {
    let now = 1_000_000;
    const cache = new MemoryCache({ now: () => now });
    const limits = { limit: 3, windowSeconds: 60 };
    const throttle = new LoginThrottle({
      cache,
      perAccount: rule,
      perAddress: rule,
      signUpPerAddress: limits,
    });
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () => retryAfter(throttle.admitSignUp('10.0.3.1'))),
    );
    assert.is(outcomes.filter((o) => o === undefined).length, 3, 'exactly the limit gets through');
    assert.ok(
      outcomes.every((o) => o === undefined || (o >= 1 && o <= 60)),
      String(outcomes),
    );
    try {
      await throttle.admitSignUp('10.0.3.1');
      assert.unreachable('over the limit');
    } catch (error) {
      assert.ok(isAppError(error));
      assert.is(error.code, 'ACCOUNT.TOO_MANY_SIGN_UPS');
      assert.is(error.kind, 'THROTTLED');
    }
    assert.is(await retryAfter(throttle.admitSignUp('10.0.3.2')), undefined, 'another address has its own');
    now += 30_000;
    const later = await retryAfter(throttle.admitSignUp('10.0.3.1'));
    assert.ok(later !== undefined && later <= 30, `refusals do not extend the window (waits ${later})`);
    now += 31_000;
    assert.is(await retryAfter(throttle.admitSignUp('10.0.3.1')), undefined, 'a new window');
    await cache.close();
  },
);

s('sign-ups and logins count apart: failed logins do not use up sign-ups, nor the reverse', async () => {
  const cache = new MemoryCache();
  const throttle = new LoginThrottle({
    cache,
    perAccount: rule,
    perAddress: { ...rule, freeFailures: 2 },
    signUpPerAddress: { limit: 2, windowSeconds: 60 },
  });
  for (let i = 0; i < 2; i++) await throttle.admitSignUp('10.0.4.1');
  assert.is(await retryAfter(throttle.check('frank', '10.0.4.1')), undefined);
  for (let i = 0; i < 3; i++) await throttle.failure(`user${i}`, '10.0.4.2');
  assert.is(await retryAfter(throttle.admitSignUp('10.0.4.2')), undefined);
  await cache.close();
});

s.run();
