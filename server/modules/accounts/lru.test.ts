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
