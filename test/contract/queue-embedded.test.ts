import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { EmbeddedQueue, type EmbeddedQueueOptions } from '../../server/adapters/queue-embedded/index.ts';
import { isAppError } from '../../server/lib/errors.ts';
import { silentLogger } from '../../server/lib/log.ts';
import { inbox, queueContract } from './queue.contract.ts';

function tempDir() {
  return mkdtempSync(path.join(tmpdir(), 'dojo-queue-'));
}

queueContract('queue-embedded', async () => {
  const dataDir = tempDir();
  const open = () => new EmbeddedQueue({ dataDir, logger: silentLogger(), pollIntervalMs: 200 });
  const opened = [open()];
  return {
    adapter: opened[0]!,
    fixture: { kind: 'embedded', dataDir },
    reopen: async () => {
      const queue = open();
      opened.push(queue);
      return queue;
    },
    cleanup: async () => {
      for (const queue of opened) await queue.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
});

const s = suite<{ dataDir: string; opened: EmbeddedQueue[] }>('queue-embedded: restart, lock, retention', {
  dataDir: '',
  opened: [],
});

s.before.each((ctx) => {
  ctx.dataDir = tempDir();
  ctx.opened = [];
});
s.after.each(async (ctx) => {
  for (const queue of ctx.opened) await queue.close();
  rmSync(ctx.dataDir, { recursive: true, force: true });
});

const openIn = (
  ctx: { dataDir: string; opened: EmbeddedQueue[] },
  options: Partial<EmbeddedQueueOptions> = {},
) => {
  const queue = new EmbeddedQueue({ dataDir: ctx.dataDir, logger: silentLogger(), ...options });
  ctx.opened.push(queue);
  return queue;
};

const values = (n: number[]) => n.map((i) => ({ key: 'k', value: { i } }));
const never = () => new Promise<void>(() => undefined);

s(
  'messages not yet committed are delivered again by the next instance over the same data dir',
  async (ctx) => {
    const first = openIn(ctx, { closeTimeoutMs: 100 });
    await first.ensureTopics(['jobs']);
    await first.publish('jobs', values([1, 2, 3]));
    // The handler never finishes message 2: close() gives up on it after closeTimeoutMs, uncommitted.
    const box = inbox(async (m) => ((m.value as { i: number }).i === 2 ? never() : undefined));
    await first.subscribe({ topic: 'jobs', group: 'workers', handler: box.handler });
    await box.until(1);
    await sleep(50);
    await first.close();

    const second = openIn(ctx);
    const again = inbox();
    await second.subscribe({ topic: 'jobs', group: 'workers', handler: again.handler });
    await again.until(2);
    assert.equal(again.values(), [{ i: 2 }, { i: 3 }]);
  },
);

s('close() then reopening does not deliver committed messages again', async (ctx) => {
  const first = openIn(ctx);
  await first.ensureTopics(['jobs']);
  await first.publish('jobs', values([1, 2]));
  const box = inbox();
  await first.subscribe({ topic: 'jobs', group: 'workers', handler: box.handler });
  await box.until(2);
  await first.close();

  const second = openIn(ctx);
  await second.publish('jobs', values([3]));
  const again = inbox();
  await second.subscribe({ topic: 'jobs', group: 'workers', handler: again.handler });
  await again.until(1);
  await sleep(100);
  assert.equal(again.values(), [{ i: 3 }]);
});

s('a second instance over the same data dir is refused while the first is open', async (ctx) => {
  const first = openIn(ctx);
  try {
    openIn(ctx);
    assert.unreachable('the second instance opened');
  } catch (error) {
    assert.ok(isAppError(error) && error.code === 'QUEUE.LOCKED', String(error));
  }
  await first.close();
  openIn(ctx);
});

s('publishing to a topic that was never created fails loudly', async (ctx) => {
  const queue = openIn(ctx);
  try {
    await queue.publish('nowhere', values([1]));
    assert.unreachable('published to a missing topic');
  } catch (error) {
    assert.ok(isAppError(error) && error.code === 'QUEUE.UNKNOWN_TOPIC', String(error));
  }
});

s('retention deletes old messages only once every group has committed them', async (ctx) => {
  const queue = openIn(ctx, { retentionMs: 0, closeTimeoutMs: 100 });
  await queue.ensureTopics(['jobs']);
  await queue.publish('jobs', values([1, 2, 3, 4]));
  const done = inbox();
  const all = await queue.subscribe({ topic: 'jobs', group: 'fast', handler: done.handler });
  await done.until(4);
  await all.close();
  const slow = inbox(async (m) => ((m.value as { i: number }).i === 3 ? never() : undefined));
  const stuck = await queue.subscribe({ topic: 'jobs', group: 'slow', handler: slow.handler });
  await slow.until(2);
  await sleep(50);
  await stuck.close();

  assert.is(queue.prune(Date.now() + 1), 2, 'only 1 and 2 are committed by both groups');
  const late = inbox();
  await queue.subscribe({ topic: 'jobs', group: 'late', handler: late.handler });
  await late.until(2);
  assert.equal(late.values(), [{ i: 3 }, { i: 4 }]);
});

s('two members of one group share the partitions and never handle a message twice', async (ctx) => {
  const queue = openIn(ctx, { partitions: 4 });
  await queue.ensureTopics(['jobs']);
  const [a, b] = [inbox(), inbox()];
  await queue.subscribe({ topic: 'jobs', group: 'workers', handler: a.handler });
  await queue.subscribe({ topic: 'jobs', group: 'workers', handler: b.handler });
  await queue.publish(
    'jobs',
    Array.from({ length: 40 }, (_, i) => ({ key: `key-${i}`, value: { i } })),
  );
  const deadline = Date.now() + 5000;
  while (a.messages.length + b.messages.length < 40 && Date.now() < deadline) await sleep(10);
  await sleep(100);
  const seen = [...a.values(), ...b.values()].map((v) => (v as { i: number }).i).sort((x, y) => x - y);
  assert.equal(
    seen,
    Array.from({ length: 40 }, (_, i) => i),
  );
  assert.ok(a.messages.length > 0 && b.messages.length > 0, `${a.messages.length} / ${b.messages.length}`);
  const partitionsOf = (box: typeof a) => new Set(box.messages.map((m) => m.partition));
  assert.ok(
    [...partitionsOf(a)].every((p) => !partitionsOf(b).has(p)),
    'no partition handled by both',
  );
});

s('a short batch waits up to maxWaitMs for more messages, and a lone one no longer', async (ctx) => {
  const queue = openIn(ctx, { partitions: 1 });
  await queue.ensureTopics(['jobs']);
  const batches: { values: unknown[]; at: number }[] = [];
  await queue.subscribeBatch({
    topic: 'jobs',
    group: 'workers',
    maxMessages: 10,
    maxWaitMs: 500,
    handler: async (messages) => {
      batches.push({ values: messages.map((m) => m.value), at: Date.now() });
    },
  });
  await queue.publish('jobs', values([1]));
  await sleep(50);
  await queue.publish('jobs', values([2, 3]));
  const deadline = Date.now() + 5000;
  while (batches.length < 1 && Date.now() < deadline) await sleep(5);
  assert.equal(batches[0]?.values, [{ i: 1 }, { i: 2 }, { i: 3 }]);

  const sent = Date.now();
  await queue.publish('jobs', values([4]));
  while (batches.length < 2 && Date.now() < deadline) await sleep(5);
  const waited = batches[1]!.at - sent;
  assert.equal(batches[1]?.values, [{ i: 4 }]);
  assert.ok(waited >= 450 && waited < 2500, `a lone message waited ${waited} ms`);
});

s.run();
