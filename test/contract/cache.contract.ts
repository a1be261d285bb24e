import { setTimeout as sleep } from 'node:timers/promises';
import * as assert from 'uvu/assert';
import { contractSuite } from '../support/contract.ts';
import type { Cache } from '../../server/ports/cache.ts';
import { isAppError } from '../../server/lib/errors.ts';

export interface MadeCache {
  readonly adapter: Cache;
  cleanup(): Promise<void>;
}

/** The behaviour every Cache adapter must share; registers one uvu suite and runs it. */
export function cacheContract(label: string, make: () => Promise<MadeCache>) {
  const { s, made } = contractSuite(`${label}: Cache contract`, make);
  const cache = (ctx: { made?: MadeCache }) => made(ctx).adapter;

  s('health answers', async (ctx) => {
    await cache(ctx).health();
  });

  s('get/set/del round-trip; a missing key is undefined', async (ctx) => {
    const c = cache(ctx);
    assert.is(await c.get('rt:missing'), undefined);
    await c.set('rt:a', 'alpha');
    await c.set('rt:b', '');
    assert.is(await c.get('rt:a'), 'alpha');
    assert.is(await c.get('rt:b'), '', 'an empty string is a value, not a miss');
    assert.is(await c.exists('rt:a'), true);
    await c.set('rt:a', 'beta');
    assert.is(await c.get('rt:a'), 'beta');
    await c.del(['rt:a', 'rt:b', 'rt:never']);
    assert.is(await c.get('rt:a'), undefined);
    assert.is(await c.exists('rt:b'), false);
    await c.del([]);
  });

  s('TTLs: reported, kept, and keys expire (set, expire, incr)', async (ctx) => {
    const c = cache(ctx);
    await c.set('ttl:set', 'v', 1);
    await c.set('ttl:forever', 'v');
    await c.set('ttl:later', 'v');
    await c.expire('ttl:later', 1);
    await c.expire('ttl:missing', 1);
    assert.is(await c.incr('ttl:counter', 1), 1);
    assert.is(await c.incr('ttl:counter', 1), 2);
    const ttl = await c.ttl('ttl:set');
    assert.ok(ttl === 1 || ttl === 0, `ttl of a 1 s key was ${ttl}`);
    assert.is(await c.ttl('ttl:forever'), -1);
    assert.is(await c.ttl('ttl:missing'), -2);
    assert.is(await c.exists('ttl:missing'), false, 'expire does not create a key');

    await sleep(1300);
    assert.is(await c.get('ttl:set'), undefined, 'set with a TTL expired');
    assert.is(await c.get('ttl:later'), undefined, 'expire() took effect');
    assert.is(await c.get('ttl:forever'), 'v');
    assert.is(await c.exists('ttl:counter'), false);
    assert.is(await c.incr('ttl:counter', 60), 1, 'an expired counter starts again at 1');
  });

  s('set without a TTL clears an earlier one', async (ctx) => {
    const c = cache(ctx);
    await c.set('clear:k', 'v', 100);
    await c.set('clear:k', 'w');
    assert.is(await c.ttl('clear:k'), -1);
  });

  s('incr: atomic under 100 concurrent calls, TTL set only when the key is new', async (ctx) => {
    const c = cache(ctx);
    const seen = await Promise.all(Array.from({ length: 100 }, () => c.incr('incr:race', 100)));
    assert.equal(
      [...seen].sort((a, b) => a - b),
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
    assert.is(await c.get('incr:race'), '100');
    const ttl = await c.ttl('incr:race');
    assert.ok(ttl !== undefined && ttl > 90 && ttl <= 100, `ttl was ${ttl}`);
    assert.is(await c.incr('incr:race', 5), 101);
    const kept = await c.ttl('incr:race');
    assert.ok(kept !== undefined && kept > 90, `a later incr must not shorten the TTL (was ${kept})`);
  });

  s('sets: add, remove, members, intersect', async (ctx) => {
    const c = cache(ctx);
    await c.sadd('set:a', ['1', '2', '3', '4']);
    await c.sadd('set:a', ['4', '5']);
    await c.sadd('set:b', ['3', '4', '5', '6']);
    await c.sadd('set:c', ['4', '5', '9']);
    await c.srem('set:a', ['5', 'not-there']);
    assert.equal((await c.smembers('set:a'))?.sort(), ['1', '2', '3', '4']);
    assert.equal((await c.sinter(['set:a', 'set:b']))?.sort(), ['3', '4']);
    assert.equal((await c.sinter(['set:a', 'set:b', 'set:c']))?.sort(), ['4']);
    assert.equal((await c.sinter(['set:b']))?.sort(), ['3', '4', '5', '6']);
    await c.sadd('set:a', []);
    await c.srem('set:a', []);
    await c.del(['set:a']);
    assert.is(await c.smembers('set:a'), undefined);
  });

  s('a missing key vs an empty set', async (ctx) => {
    const c = cache(ctx);
    assert.is(await c.exists('empty:never'), false);
    assert.is(await c.smembers('empty:never'), undefined, 'a set never cached is unknown, not empty');

    await c.sadd('empty:emptied', ['x', 'y']);
    await c.srem('empty:emptied', ['x', 'y']);
    assert.is(await c.exists('empty:emptied'), false, 'removing the last member removes the set');
    assert.is(await c.smembers('empty:emptied'), undefined);

    await c.sadd('empty:left', ['a', 'b']);
    await c.sadd('empty:right', ['c']);
    assert.equal(await c.sinter(['empty:left', 'empty:right']), [], 'two known sets: known empty');
    assert.is(await c.sinter(['empty:left', 'empty:never']), undefined, 'one unknown set: unknown');
  });

  s('misuse (a set op on a string) is an INTERNAL AppError', async (ctx) => {
    const c = cache(ctx);
    await c.set('misuse:s', 'text');
    const error = await c.sadd('misuse:s', ['x']).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(isAppError(error) && error.kind === 'INTERNAL', `got ${String(error)}`);
    assert.is(await c.get('misuse:s'), 'text');
  });

  s.run();
}
