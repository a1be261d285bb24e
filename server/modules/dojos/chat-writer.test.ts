import { setTimeout as sleep } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ChatWriter } from './chat-writer.ts';
import type { DojosRepo, NewMessage } from './repo.ts';

const message = (n: number): NewMessage => ({
  messageId: `m${n}`,
  dojoId: `d${n % 3}`,
  tenantId: 't',
  userId: 'u',
  text: `hello ${n}`,
  created: new Date(),
});

function fakeRepo(fail = false) {
  const batches: string[][] = [];
  const repo = {
    addMessages: async (messages: readonly NewMessage[]) => {
      await sleep(5);
      if (fail) throw new Error('store down');
      batches.push(messages.map((m) => m.messageId));
    },
  } as unknown as DojosRepo;
  return { repo, batches };
}

const test = suite('chat writer (group commit)');

test('messages within the window share one write, and each caller learns when its own is stored', async () => {
  const { repo, batches } = fakeRepo();
  const writer = new ChatWriter({ repo, windowMs: 30 });
  const started = Date.now();
  await Promise.all([1, 2, 3].map((n) => writer.add(message(n))));
  assert.ok(Date.now() - started < 200);
  assert.equal(batches, [['m1', 'm2', 'm3']]);
  await writer.add(message(4));
  assert.equal(batches.at(-1), ['m4'], 'a later message gets its own write');
});

test('a full batch goes at once; a failed write fails every message in it', async () => {
  const { repo, batches } = fakeRepo();
  const writer = new ChatWriter({ repo, windowMs: 10_000, maxBatch: 2 });
  await Promise.all([writer.add(message(1)), writer.add(message(2))]);
  assert.equal(batches, [['m1', 'm2']], 'did not wait for the window');
  const broken = new ChatWriter({ repo: fakeRepo(true).repo, windowMs: 5 });
  const results = await Promise.allSettled([broken.add(message(1)), broken.add(message(2))]);
  assert.equal(
    results.map((r) => r.status),
    ['rejected', 'rejected'],
  );
});

test('close writes what waits and waits for it', async () => {
  const { repo, batches } = fakeRepo();
  const writer = new ChatWriter({ repo, windowMs: 10_000 });
  const stored = writer.add(message(7));
  await writer.close();
  assert.equal(batches, [['m7']]);
  await stored;
});

test.run();
