import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { dlqTopic, type DeadLetter, type SubscribeOptions } from '../../server/ports/queue.ts';
import type { CrashConsumerArgs } from './fixtures/queue-crash-consumer.ts';
import { batchContract } from './queue-batch.contract.ts';
import { inbox, named, withQueue, type MadeQueue } from './queue.support.ts';

export { inbox, type MadeQueue } from './queue.support.ts';

const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'queue-crash-consumer.ts');

function runCrashConsumer(args: CrashConsumerArgs, ms: number) {
  return new Promise<{ signal: NodeJS.Signals | null; code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [FIXTURE, JSON.stringify(args)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      stderr += `\n(killed by the test after ${ms} ms)`;
      child.kill('SIGTERM');
    }, ms);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ signal, code, stderr });
    });
  });
}

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);

/** The behaviour every Queue adapter must share; registers one uvu suite and runs it. */
export function queueContract(label: string, make: () => Promise<MadeQueue>) {
  const s = suite(`${label}: Queue contract`);

  s('ensureTopics is idempotent and creates the dead-letter topics', async () => {
    await withQueue(make, async ({ adapter }) => {
      const [a, b] = [named('ens-a'), named('ens-b')];
      await adapter.ensureTopics([a]);
      await adapter.ensureTopics([a]);
      await adapter.ensureTopics([a, b]);
      await adapter.health();
      for (const topic of [a, b, dlqTopic(a), dlqTopic(b)]) {
        await adapter.publish(topic, [{ key: 'k', value: { topic } }]);
      }
      const box = inbox();
      const sub = await adapter.subscribe({ topic: dlqTopic(b), group: named('g'), handler: box.handler });
      await box.until(1);
      assert.equal(box.values(), [{ topic: dlqTopic(b) }]);
      await sub.close();
    });
  });

  s('a published message arrives with its value, key and headers intact', async () => {
    await withQueue(make, async ({ adapter }) => {
      const topic = named('trip');
      await adapter.ensureTopics([topic]);
      const value = { nested: { n: 1, list: ['a', 2, null, true] }, text: 'é✓ "quoted"', big: 2 ** 40 };
      const box = inbox();
      const sub = await adapter.subscribe({ topic, group: named('g'), handler: box.handler });
      await adapter.publish(topic, [
        { key: 'tenant-1:poc-7', value, headers: { 'x-trace': 'abc', 'x-tenant': 't1' } },
      ]);
      await box.until(1);
      const [got] = box.messages;
      assert.ok(got);
      assert.equal(got.value, value);
      assert.is(got.key, 'tenant-1:poc-7');
      assert.equal(got.headers, { 'x-trace': 'abc', 'x-tenant': 't1' });
      assert.is(got.topic, topic);
      assert.is(got.attempt, 1);
      assert.ok(Number.isInteger(got.partition) && got.partition >= 0, `partition ${got.partition}`);
      assert.match(got.offset, /^\d+$/);
      await sub.close();
    });
  });

  s('messages with the same key are handled in publish order', async () => {
    await withQueue(make, async ({ adapter }) => {
      const topic = named('order');
      await adapter.ensureTopics([topic]);
      const keys = ['alpha', 'bravo', 'charlie'];
      for (let batch = 0; batch < 3; batch++) {
        const messages = [];
        for (let seq = batch * 10; seq < batch * 10 + 10; seq++) {
          for (const key of keys) messages.push({ key, value: { key, seq } });
        }
        await adapter.publish(topic, messages);
      }
      // A slow first message per key must not let later ones overtake it.
      const box = inbox(async (m) => {
        if ((m.value as { seq: number }).seq === 0) await sleep(30);
      });
      const sub = await adapter.subscribe({ topic, group: named('g'), handler: box.handler });
      await box.until(90);
      for (const key of keys) {
        const seqs = box.messages.filter((m) => m.key === key).map((m) => (m.value as { seq: number }).seq);
        assert.equal(
          seqs,
          Array.from({ length: 30 }, (_, i) => i),
          `order of ${key}`,
        );
      }
      const byPartition = new Map<number, bigint[]>();
      for (const m of box.messages)
        byPartition.set(m.partition, [...(byPartition.get(m.partition) ?? []), BigInt(m.offset)]);
      for (const [partition, offsets] of byPartition) {
        assert.ok(
          offsets.every((o, i) => i === 0 || o > offsets[i - 1]!),
          `offsets grow in partition ${partition}`,
        );
      }
      await sub.close();
    });
  });

  s('each consumer group gets every message', async () => {
    await withQueue(make, async ({ adapter }) => {
      const topic = named('groups');
      await adapter.ensureTopics([topic]);
      const [first, second] = [inbox(), inbox()];
      const subs = [
        await adapter.subscribe({ topic, group: named('g1'), handler: first.handler }),
        await adapter.subscribe({ topic, group: named('g2'), handler: second.handler }),
      ];
      const sent = Array.from({ length: 12 }, (_, i) => ({ key: `k${i % 5}`, value: { i } }));
      await adapter.publish(topic, sent);
      await Promise.all([first.until(12), second.until(12)]);
      const sorted = (values: unknown[]) => values.map((v) => (v as { i: number }).i).sort((x, y) => x - y);
      assert.equal(
        sorted(first.values()),
        sent.map((m) => m.value.i),
      );
      assert.equal(
        sorted(second.values()),
        sent.map((m) => m.value.i),
      );
      for (const sub of subs) await sub.close();
    });
  });

  s('a new member of a group resumes after the last committed message', async () => {
    await withQueue(make, async ({ adapter }) => {
      const topic = named('resume');
      await adapter.ensureTopics([topic]);
      const group = named('g');
      const publish = (from: number, to: number) =>
        adapter.publish(
          topic,
          Array.from({ length: to - from }, (_, i) => ({ key: 'same', value: { n: from + i } })),
        );
      await publish(0, 5);
      const first = inbox();
      const sub = await adapter.subscribe({ topic, group, handler: first.handler });
      await first.until(5);
      await sub.close();
      await publish(5, 8);
      const second = inbox();
      const next = await adapter.subscribe({ topic, group, handler: second.handler });
      await second.until(3);
      assert.equal(second.values(), [{ n: 5 }, { n: 6 }, { n: 7 }]);
      await next.close();
    });
  });

  s('a consumer killed after its side effect but before its commit gets the message again', async () => {
    await withQueue(make, async (made) => {
      const topic = named('crash');
      const group = named('g');
      let queue = made.adapter;
      await queue.ensureTopics([topic]);
      await queue.publish(topic, [
        { key: 'one-key', value: { id: 'first' } },
        { key: 'one-key', value: { id: 'second' } },
      ]);
      if (made.reopen) await queue.close();
      const dir = mkdtempSync(path.join(tmpdir(), 'dojo-queue-crash-'));
      try {
        const sideEffectFile = path.join(dir, 'side-effects.txt');
        const child = await runCrashConsumer(
          { adapter: made.fixture, topic, group, sideEffectFile, crashOn: 'second' },
          60_000,
        );
        assert.is(child.signal, 'SIGKILL', `the child died by SIGKILL (code ${child.code}): ${child.stderr}`);
        assert.equal(
          lines(sideEffectFile),
          ['first', 'second'],
          'the child handled first, then crashed in second',
        );

        if (made.reopen) queue = await made.reopen();
        const box = inbox();
        const sub = await queue.subscribe({ topic, group, handler: box.handler });
        await box.until(1);
        // Same key, same partition: had `first` not been committed it would have arrived before `second`.
        assert.equal(box.values(), [{ id: 'second' }]);
        assert.is(box.messages[0]?.attempt, 1);
        await sub.close();
        assert.equal(lines(sideEffectFile), ['first', 'second']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  s('a poison message is retried, dead-lettered, and its partition keeps flowing', async () => {
    await withQueue(make, async ({ adapter }) => {
      const topic = named('poison');
      await adapter.ensureTopics([topic]);
      const events: { id: string; attempt: number; offset: string; at: number }[] = [];
      const handler: SubscribeOptions['handler'] = async (m) => {
        const id = (m.value as { id: string }).id;
        events.push({ id, attempt: m.attempt, offset: m.offset, at: Date.now() });
        if (id === 'poison') throw new Error(`cannot digest ${id}`);
      };
      const letters = inbox();
      const dlqSub = await adapter.subscribe({
        topic: dlqTopic(topic),
        group: named('dlq'),
        handler: letters.handler,
      });
      const sub = await adapter.subscribe({
        topic,
        group: named('g'),
        handler,
        retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 40 },
      });
      await adapter.publish(
        topic,
        ['ok-1', 'poison', 'ok-2'].map((id) => ({ key: 'k', value: { id }, headers: { h: id } })),
      );
      await letters.until(1);
      const deadline = Date.now() + 20_000;
      while (!events.some((e) => e.id === 'ok-2') && Date.now() < deadline) await sleep(10);

      assert.equal(
        events.map((e) => `${e.id}#${e.attempt}`),
        ['ok-1#1', 'poison#1', 'poison#2', 'poison#3', 'ok-2#1'],
      );
      const letter = letters.messages[0]?.value as DeadLetter;
      const poison = events[1]!;
      assert.equal(letter.original.value, { id: 'poison' });
      assert.is(letter.original.key, 'k');
      assert.is(letter.original.topic, topic);
      assert.is(letter.original.offset, poison.offset);
      assert.equal(letter.original.headers, { h: 'poison' });
      assert.is(letter.error.message, 'cannot digest poison');
      assert.is(letter.attempts, 3);
      assert.ok(
        Date.parse(letter.failedAt) <= events[4]!.at,
        'ok-2 was handled after the poison was dead-lettered',
      );
      assert.is(letters.messages.length, 1);
      await sub.close();
      await dlqSub.close();
    });
  });

  batchContract(s, make);
  s.run();
}
