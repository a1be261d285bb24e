import { setTimeout as sleep } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Subscription } from '../../server/ports/queue.ts';
import { uniqueName } from '../support/services.ts';
import {
  RUNS_TOPIC,
  deliveriesOf,
  publishesOf,
  recordInto,
  waitFor,
  type Backend,
  type Connections,
  type Delivery,
} from './harness.ts';
import { flakyStore, hangingQueue, lagSeconds, moduleNode, outcomes, type ModuleNode } from './nodes.ts';

/**
 * Several scheduler instances ("nodes") over one store and one queue, each polling on its own: built by
 * the test on shared connections (with the embedded store, several systems cannot share one data dir).
 */
export function nodesSuite(backend: Backend): void {
  const test = suite(`scheduler: several pollers on one store (${backend.label})`);
  const { clock } = backend;
  const runs: Delivery[] = [];
  const timeout = backend.real ? 90_000 : 20_000;
  let conn: Connections;
  let recorder: Subscription;

  test.before(async () => {
    conn = await backend.connect();
    await conn.queue.ensureTopics([RUNS_TOPIC]);
    const group = uniqueName('schedtest-nodes');
    recorder = await conn.queue.subscribe({ topic: RUNS_TOPIC, group, handler: recordInto(runs, clock) });
  });
  test.after(async () => {
    await recorder.close();
    await conn.close();
  });

  const nodes = (n: number, pollMs: number) =>
    Promise.all(
      Array.from({ length: n }, async () =>
        moduleNode({ store: await conn.newStore(), queue: conn.queue }, { now: clock.now, pollMs }),
      ),
    );
  const published = async (all: readonly ModuleNode[]) =>
    (await Promise.all(all.map(async (n) => (await outcomes(n.registry)).published ?? 0))).reduce(
      (a, b) => a + b,
    );

  test('a task due in 2 s runs once with three nodes polling', async () => {
    const three = await nodes(3, 100);
    const running = three.map((n) => n.run());
    try {
      const id = uniqueName('three');
      const runAt = new Date(clock.now() + 2000);
      await three[1]?.scheduler.schedule({ id, topic: RUNS_TOPIC, payload: { id }, runAt });
      await waitFor('the task', () => deliveriesOf(runs, id).length > 0, timeout);
      await sleep(1500);
      assert.is(publishesOf(runs, id), 1);
      assert.is(deliveriesOf(runs, id).length, 1);
      assert.ok((deliveriesOf(runs, id)[0]?.at ?? 0) >= runAt.getTime());
      assert.is(await published(three), 1, 'one node published it');
    } finally {
      await Promise.all(running.map((r) => r.stop()));
    }
  });

  test('three nodes polling every 20 ms hand each of 200 due tasks to the queue exactly once', async () => {
    const three = await nodes(3, 20);
    const batch = uniqueName('race');
    const ids = Array.from({ length: 200 }, (_, i) => `${batch}-${i}`);
    await Promise.all(
      ids.map((id, i) =>
        three[i % 3]?.scheduler.schedule({
          id,
          topic: RUNS_TOPIC,
          payload: { id },
          runAt: new Date(clock.now() - 5000 + i * 10),
        }),
      ),
    );
    const running = three.map((n) => n.run());
    try {
      await waitFor('every task', () => ids.every((id) => deliveriesOf(runs, id).length > 0), timeout);
      await sleep(1000);
      for (const id of ids) assert.is(publishesOf(runs, id), 1, id);
      assert.is(await published(three), ids.length);
    } finally {
      await Promise.all(running.map((r) => r.stop()));
    }
  });

  test('a claim of a node that died before publishing is taken over after the claim timeout', async () => {
    let entered = false;
    const dying = await moduleNode(
      { store: await conn.newStore(), queue: hangingQueue(conn.queue, () => (entered = true)) },
      { now: clock.now, claimTimeoutMs: 1000 },
    );
    const survivor = await moduleNode(
      { store: await conn.newStore(), queue: conn.queue },
      { now: clock.now, claimTimeoutMs: 1000 },
    );
    const id = uniqueName('orphan');
    await dying.scheduler.schedule({
      id,
      topic: RUNS_TOPIC,
      payload: { id },
      runAt: new Date(clock.now() - 1),
    });
    void dying.poll();
    await waitFor('the claim of the dying node', () => entered);
    await survivor.poll();
    await sleep(300);
    assert.is(deliveriesOf(runs, id).length, 0, 'a fresh claim is left to its node');
    clock.advance(1500);
    await survivor.poll();
    await waitFor('the task taken over', () => deliveriesOf(runs, id).length > 0, timeout);
    await survivor.poll();
    await sleep(500);
    assert.is(publishesOf(runs, id), 1);
    assert.equal(await outcomes(survivor.registry), { republished: 1 });
  });

  test('the lag gauge shows how late the oldest due, unclaimed task is, and 0 once none is', async () => {
    let failing = false;
    const store = flakyStore(await conn.newStore(), () => failing);
    const node = await moduleNode({ store, queue: conn.queue }, { now: clock.now });
    const id = uniqueName('late');
    await node.scheduler.schedule({ id, topic: RUNS_TOPIC, payload: { id }, runAt: new Date(clock.now()) });
    clock.advance(42_000);
    failing = true;
    await node.poll();
    const lag = (await lagSeconds(node.registry)) ?? 0;
    assert.ok(lag >= 42 && lag < 45, `lag ${lag}`);
    failing = false;
    await node.poll();
    await waitFor('the late task', () => deliveriesOf(runs, id).length > 0, timeout);
    await node.poll();
    assert.is(await lagSeconds(node.registry), 0);
    assert.is((await outcomes(node.registry)).published, 1);
  });

  test('a task whose topic does not exist yet is retried with backoff, and runs once it does', async () => {
    const node = await moduleNode({ store: await conn.newStore(), queue: conn.queue }, { now: clock.now });
    const id = uniqueName('no-topic');
    const topic = 'schedtest.late';
    await node.scheduler.schedule({ id, topic, payload: { id }, runAt: new Date(clock.now() - 1) });
    await node.poll();
    assert.is((await outcomes(node.registry)).publish_failed, 1);
    await conn.queue.ensureTopics([topic]);
    const late: Delivery[] = [];
    const group = uniqueName('schedtest-late');
    const sub = await conn.queue.subscribe({ topic, group, handler: recordInto(late, clock) });
    try {
      await node.poll();
      assert.is((await outcomes(node.registry)).published, undefined, 'not before its backoff');
      clock.advance(1500);
      await node.poll();
      await waitFor('the task on its new topic', () => late.length > 0, timeout);
      await node.poll();
      await sleep(500);
      assert.is(publishesOf(late, id), 1);
      assert.equal(await outcomes(node.registry), { scheduled: 1, publish_failed: 1, published: 1 });
    } finally {
      await sub.close();
    }
  });

  test.run();
}
