/** The Queue contract's cases for subscribeBatch, registered on the suite of queue.contract.ts. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  DEFAULT_BATCH_MAX_MESSAGES,
  dlqTopic,
  type DeadLetter,
  type DeliveredMessage,
  type Queue,
} from '../../server/ports/queue.ts';
import { inbox, named, until, withQueue, type MadeQueue } from './queue.support.ts';

interface Call {
  readonly messages: readonly DeliveredMessage[];
  readonly at: number;
}

/** Records every handler call (after `before`, if any, resolved, so a throwing `before` is recorded too). */
function batchBox(before?: (messages: readonly DeliveredMessage[]) => Promise<void>) {
  const calls: Call[] = [];
  const handled: Call[] = [];
  const messages = () => handled.flatMap((c) => c.messages);
  return {
    calls,
    /** The calls that resolved. */
    handled,
    messages,
    handler: async (messages: readonly DeliveredMessage[]) => {
      const call = { messages: [...messages], at: Date.now() };
      calls.push(call);
      await before?.(messages);
      handled.push(call);
    },
    until: (count: number, ms = 30_000) =>
      until(
        () => messages().length >= count,
        () => `got ${messages().length} of ${count} messages`,
        ms,
      ),
  };
}

const field = (key: string) => (m: DeliveredMessage) => (m.value as Record<string, unknown>)[key];
const offsets = (messages: readonly DeliveredMessage[]) => messages.map((m) => BigInt(m.offset));
const increasing = (list: readonly bigint[]) => list.every((o, i) => i === 0 || o > list[i - 1]!);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/** Every call holds 1..max messages of one partition in offset order, and partitions never go back. */
function assertBatches(calls: readonly Call[], max: number) {
  const byPartition = new Map<number, bigint[]>();
  for (const { messages } of calls) {
    assert.ok(messages.length >= 1 && messages.length <= max, `a batch of ${messages.length} (max ${max})`);
    const partition = messages[0]!.partition;
    assert.ok(
      messages.every((m) => m.partition === partition),
      'one partition per batch',
    );
    byPartition.set(partition, [...(byPartition.get(partition) ?? []), ...offsets(messages)]);
  }
  for (const [partition, list] of byPartition) assert.ok(increasing(list), `offsets of ${partition}`);
}

const publishSeq = (adapter: Queue, topic: string, keys: readonly string[], from: number, to: number) =>
  adapter.publish(
    topic,
    range(from, to).flatMap((seq) => keys.map((key) => ({ key, value: { key, seq } }))),
  );

export function batchContract(s: Test, make: () => Promise<MadeQueue>) {
  s('subscribeBatch delivers every message in batches of one partition, keeping per-key order', async () => {
    await withQueue(make, async ({ adapter }) => {
      const topic = named('batch-order');
      await adapter.ensureTopics([topic]);
      const keys = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'];
      await publishSeq(adapter, topic, keys, 0, 20);
      // A slow first batch lets what is published meanwhile pile up behind it.
      const box = batchBox(async () => {
        if (box.calls.length === 1) await sleep(30);
      });
      const sub = await adapter.subscribeBatch({
        topic,
        group: named('g'),
        handler: box.handler,
        maxMessages: 7,
      });
      for (let from = 20; from < 40; from += 5) await publishSeq(adapter, topic, keys, from, from + 5);
      await box.until(240);
      await sleep(50);
      assert.is(box.messages().length, 240, 'no message twice');
      assertBatches(box.handled, 7);
      assert.ok(
        box.messages().every((m) => m.attempt === 1),
        'first attempts',
      );
      for (const key of keys) {
        const seqs = box
          .messages()
          .filter((m) => m.key === key)
          .map(field('seq'));
        assert.equal(seqs, range(0, 40), `order of ${key}`);
      }
      await sub.close();
    });
  });

  s('batches batch: 2,000 messages published before subscribing take far fewer calls', async () => {
    await withQueue(make, async ({ adapter }) => {
      const topic = named('batch-size');
      await adapter.ensureTopics([topic]);
      for (let from = 0; from < 2000; from += 500) {
        await adapter.publish(
          topic,
          range(from, from + 500).map((i) => ({ key: `k${i % 50}`, value: { i } })),
        );
      }
      const box = batchBox();
      const sub = await adapter.subscribeBatch({ topic, group: named('g'), handler: box.handler });
      await box.until(2000);
      assertBatches(box.handled, DEFAULT_BATCH_MAX_MESSAGES);
      assert.ok(box.calls.length <= 2000 / 20, `${box.calls.length} handler calls for 2,000 messages`);
      assert.equal(
        box
          .messages()
          .map(field('i'))
          .sort((a, b) => Number(a) - Number(b)),
        range(0, 2000),
      );
      await sub.close();
    });
  });

  s(
    'a failing batch is retried whole, then dead-lettered message by message, and its partition moves on',
    async () => {
      await withQueue(make, async ({ adapter }) => {
        const topic = named('batch-poison');
        await adapter.ensureTopics([topic]);
        const ids = ['a', 'b', 'poison', 'c', 'd', 'e'];
        const letters = inbox();
        const dlqSub = await adapter.subscribe({
          topic: dlqTopic(topic),
          group: named('dlq'),
          handler: letters.handler,
        });
        await adapter.publish(
          topic,
          ids.map((id) => ({ key: 'k', value: { id }, headers: { h: id } })),
        );
        const box = batchBox(async (messages) => {
          if (messages.some((m) => field('id')(m) === 'poison')) throw new Error('cannot digest poison');
        });
        const sub = await adapter.subscribeBatch({
          topic,
          group: named('g'),
          handler: box.handler,
          maxMessages: 3,
          retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 40 },
        });
        const failing = () => box.calls.filter((c) => c.messages.some((m) => field('id')(m) === 'poison'));
        await until(
          () => failing().length > 0 && letters.messages.length >= failing()[0]!.messages.length,
          () => `${letters.messages.length} dead letters`,
        );
        const failed = failing()[0]!.messages;
        const rest = ids.length - failed.length;
        await box.until(rest);
        await sleep(100);

        assert.equal(
          failing().map((c) => c.messages.map((m) => `${String(field('id')(m))}#${m.attempt}`)),
          [1, 2, 3].map((attempt) => failed.map((m) => `${String(field('id')(m))}#${attempt}`)),
          'the same batch three times, attempt by attempt',
        );
        assert.ok(
          box.messages().every((m) => m.attempt === 1),
          'the other batches at their first attempt',
        );
        const inOrder = [...box.handled, failing()[0]!].sort((x, y) =>
          Number(BigInt(x.messages[0]!.offset) - BigInt(y.messages[0]!.offset)),
        );
        const all = inOrder.flatMap((c) => c.messages).map(field('id'));
        assert.equal(all, ids, 'each message once, the failed batch among them');
        assertBatches(inOrder, 3);

        const dead = letters.messages
          .map((m) => m.value as DeadLetter)
          .sort((x, y) => Number(BigInt(x.original.offset) - BigInt(y.original.offset)));
        assert.is(dead.length, failed.length, 'one dead letter per message of the batch');
        dead.forEach((letter, i) => {
          const original = failed[i]!;
          assert.equal(letter.original, {
            topic,
            partition: original.partition,
            offset: original.offset,
            key: 'k',
            value: original.value,
            headers: { h: String(field('id')(original)) },
          });
          assert.is(letter.error.message, 'cannot digest poison');
          assert.is(letter.attempts, 3);
        });
        const after = box.handled.filter((c) => BigInt(c.messages[0]!.offset) > BigInt(failed[0]!.offset));
        assert.ok(
          after.every((c) => c.at >= Date.parse(dead[0]!.failedAt)),
          'later batches were handled after the dead letters were written',
        );
        await sub.close();
        await dlqSub.close();
      });
    },
  );

  s('a batch consumer closed mid-batch resumes after its last committed batch', async () => {
    await withQueue(make, async (made) => {
      const topic = named('batch-resume');
      const group = named('g');
      let queue = made.adapter;
      await queue.ensureTopics([topic]);
      const publish = (from: number, to: number) =>
        queue.publish(
          topic,
          range(from, to).map((n) => ({ key: 'same', value: { n } })),
        );
      await publish(0, 6);
      // The batch holding n = 2 never succeeds: it is retried until the consumer closes, never committed.
      const first = batchBox(async (messages) => {
        if (messages.some((m) => field('n')(m) === 2)) throw new Error('not now');
      });
      const sub = await queue.subscribeBatch({
        topic,
        group,
        handler: first.handler,
        maxMessages: 2,
        retry: { attempts: 1000, baseDelayMs: 20, maxDelayMs: 50 },
      });
      const unfinished = () => first.calls.filter((c) => c.messages.some((m) => field('n')(m) === 2));
      await until(
        () => unfinished().length >= 2,
        () => `${unfinished().length} attempts at the batch of n = 2`,
      );
      if (made.reopen) {
        await queue.close();
        queue = await made.reopen();
      } else {
        await sub.close();
      }
      const from = Number(field('n')(unfinished()[0]!.messages[0]!));
      assert.equal(first.messages().map(field('n')), range(0, from), 'handled before the unfinished batch');
      await publish(6, 8);

      const second = batchBox();
      const next = await queue.subscribeBatch({ topic, group, handler: second.handler, maxMessages: 2 });
      await second.until(8 - from);
      await sleep(100);
      assert.equal(
        second.messages().map(field('n')),
        range(from, 8),
        'the unfinished batch again, then the rest',
      );
      assert.ok(
        second.messages().every((m) => m.attempt === 1),
        'a new consumer starts at attempt 1',
      );
      await next.close();
    });
  });
}
