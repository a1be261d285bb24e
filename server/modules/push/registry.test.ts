import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SocketRegistry } from './registry.ts';

const s = suite('push: socket registry');

const owner = (userId: string, sessionId: string, jti: string) => ({ userId, sessionId, jti });

s('finds sockets by user, session and token; removing one leaves the others', () => {
  const r = new SocketRegistry<string>();
  r.add('s1', owner('u1', 'f1', 'j1'));
  r.add('s2', owner('u1', 'f1', 'j1'));
  r.add('s3', owner('u1', 'f2', 'j2'));
  r.add('s4', owner('u2', 'f3', 'j3'));
  assert.is(r.size, 4);
  assert.equal(r.ofUser('u1').sort(), ['s1', 's2', 's3']);
  assert.equal(r.ofSession('f1').sort(), ['s1', 's2']);
  assert.equal(r.ofToken('j2'), ['s3']);
  r.remove('s1', owner('u1', 'f1', 'j1'));
  assert.equal(r.ofSession('f1'), ['s2']);
  assert.is(r.size, 3);
  assert.equal(r.ofUser('nobody'), []);
});

s('adding or removing twice counts once, and empty keys are dropped', () => {
  const r = new SocketRegistry<string>();
  const o = owner('u', 'f', 'j');
  r.add('s', o);
  r.add('s', o);
  assert.is(r.size, 1);
  r.remove('s', o);
  r.remove('s', o);
  assert.is(r.size, 0);
  assert.equal([r.ofUser('u'), r.ofSession('f'), r.ofToken('j')], [[], [], []]);
});

s('the lists are copies: removing while iterating one is safe', () => {
  const r = new SocketRegistry<string>();
  for (const id of ['a', 'b', 'c']) r.add(id, owner('u', 'f', 'j'));
  const seen: string[] = [];
  for (const id of r.ofUser('u')) {
    seen.push(id);
    r.remove(id, owner('u', 'f', 'j'));
  }
  assert.equal(seen.sort(), ['a', 'b', 'c']);
  assert.is(r.size, 0);
});

s.run();
