import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Lru } from './lru.ts';

const s = suite('accounts: lru');

s('evicts the least recently used entry beyond the bound', () => {
  const lru = new Lru<number>({ max: 2 });
  const far = Date.now() + 60_000;
  lru.set('a', 1, far);
  lru.set('b', 2, far);
  assert.is(lru.get('a'), 1);
  lru.set('c', 3, far);
  assert.is(lru.get('b'), undefined, 'b was the least recently used');
  assert.is(lru.get('a'), 1);
  assert.is(lru.size, 2);
});

s('a key read between insertions is never evicted, though reads only move keys from the older half', () => {
  const lru = new Lru<number>({ max: 100 });
  const far = Date.now() + 60_000;
  lru.set('hot', 0, far);
  for (let i = 1; i <= 1000; i++) {
    lru.set(`cold-${i}`, i, far);
    assert.is(lru.get('hot'), 0, `hot survived ${i} insertions`);
  }
  assert.is(lru.size, 100);
  assert.is(lru.get('cold-1'), undefined);
  assert.is(lru.get('cold-1000'), 1000);
});

s('entries vanish at their expiry; deleteWhere drops by value', () => {
  let now = 1000;
  const lru = new Lru<{ jti: string }>({ max: 10, now: () => now });
  lru.set('t1', { jti: 'x' }, 2000);
  lru.set('t2', { jti: 'y' }, 5000);
  now = 2000;
  assert.is(lru.get('t1'), undefined);
  lru.deleteWhere((v) => v.jti === 'y');
  assert.is(lru.get('t2'), undefined);
});

s.run();
