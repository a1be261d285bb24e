import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decode, KeepAlive } from './batch.ts';

const message = (offset: string, value: string | null, headers = {}) => ({
  key: Buffer.from('k'),
  value: value === null ? null : Buffer.from(value),
  timestamp: '0',
  attributes: 0,
  offset,
  headers,
});

test('decode hands over JSON values and turns the others into dead letters at attempt 0', () => {
  const { messages, unreadable } = decode('jobs', 2, [
    message('7', '{"a":1}', { h: Buffer.from('x'), many: [Buffer.from('1'), Buffer.from('2')] }),
    message('8', 'not json'),
    message('9', null),
  ]);
  assert.equal(messages, [
    { topic: 'jobs', partition: 2, offset: '7', key: 'k', headers: { h: 'x', many: '2' }, value: { a: 1 } },
    { topic: 'jobs', partition: 2, offset: '9', key: 'k', headers: {}, value: null },
  ]);
  assert.is(unreadable.length, 1);
  assert.equal(unreadable[0]!.original, {
    topic: 'jobs',
    partition: 2,
    offset: '8',
    key: 'k',
    headers: {},
    value: 'not json',
  });
  assert.is(unreadable[0]!.attempts, 0);
  assert.is(unreadable[0]!.error.name, 'SyntaxError');
});

test('KeepAlive heartbeats while running and keeps the first failure for check()', async () => {
  let beats = 0;
  const alive = new KeepAlive(async () => {
    beats++;
    if (beats >= 2) throw new Error(`rebalance ${beats}`);
  }, 100);
  await sleep(250);
  alive.stop();
  const seen = beats;
  assert.ok(seen >= 3, `${seen} heartbeats every 50 ms in 250 ms`);
  assert.throws(() => alive.check(), /rebalance 2/);
  await sleep(60);
  assert.is(beats, seen, 'no heartbeat after stop()');
});

test.run();
