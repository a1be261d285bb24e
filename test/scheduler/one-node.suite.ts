import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Scheduler } from '../../server/capabilities.ts';
import { createSchedulerModule } from '../../server/modules/scheduler/index.ts';
import { uniqueName } from '../support/services.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';
import {
  RUNS_TOPIC,
  deliveriesOf,
  publishesOf,
  recorderModule,
  waitFor,
  type Backend,
  type Delivery,
} from './harness.ts';
import { outcomeIn } from './nodes.ts';

const MINUTE = 60_000;

/** The scheduler in one whole system (api + workers), with the recorder module consuming the tasks. */
export function oneNodeSuite(backend: Backend): void {
  const test = suite(`scheduler: one node (${backend.label})`);
  const { clock } = backend;
  const runs: Delivery[] = [];
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dojo-sched-node-'));
  let system: TestSystem | undefined;
  const timeout = backend.real ? 90_000 : 20_000;

  const start = async () => {
    system = await startTestSystem({
      env: backend.env,
      dataDir,
      modules: [createSchedulerModule({ now: clock.now, pollMs: 100 }), recorderModule(runs, clock)],
    });
  };
  const scheduler = (): Scheduler => {
    const s = system?.capabilities.scheduler;
    if (!s) throw new Error('no running system');
    return s;
  };
  const task = (id: string, inMs: number, payload: Record<string, unknown> = { id }) => ({
    id,
    topic: RUNS_TOPIC,
    payload,
    runAt: new Date(clock.now() + inMs),
  });
  /** Real time until the schedulers' clock reads `at`. */
  const until = (at: number) => sleep(Math.max(0, at - clock.now()));

  test.before(start);
  test.after(async () => {
    await system?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('a task runs once at its time, keyed by its id, with its payload', async () => {
    const id = uniqueName('once');
    const t = task(id, 1500, { id, n: 1, nested: { ok: true } });
    await scheduler().schedule(t);
    await until(t.runAt.getTime() - 400);
    assert.is(deliveriesOf(runs, id).length, 0, 'not before its time');
    await waitFor('the task', () => deliveriesOf(runs, id).length > 0, timeout);
    await sleep(1000);
    const [run, ...more] = deliveriesOf(runs, id);
    assert.is(more.length, 0, 'once');
    assert.ok(run && run.at >= t.runAt.getTime(), 'at or after its time');
    assert.equal(run?.value, { id, n: 1, nested: { ok: true } });
    assert.is(run?.headers['scheduled-run-at'], t.runAt.toISOString());
  });

  test('scheduled again with a later time, a task runs once, at the new time only', async () => {
    const id = uniqueName('moved');
    await scheduler().schedule(task(id, 800, { v: 1 }));
    const later = task(id, 2500, { v: 2 });
    await scheduler().schedule(later);
    await until(later.runAt.getTime() - 600);
    assert.is(deliveriesOf(runs, id).length, 0, 'not at the old time');
    await waitFor('the moved task', () => deliveriesOf(runs, id).length > 0, timeout);
    await sleep(1000);
    const all = deliveriesOf(runs, id);
    assert.is(all.length, 1);
    assert.equal(all[0]?.value, { v: 2 });
    assert.ok((all[0]?.at ?? 0) >= later.runAt.getTime());
  });

  test('a cancelled task never runs; cancelling an unknown id is a no-op; the id can be used again', async () => {
    const gone = uniqueName('cancelled');
    const again = uniqueName('again');
    await scheduler().schedule(task(gone, 600));
    await scheduler().schedule(task(again, 600, { round: 1 }));
    await scheduler().cancel(gone);
    await scheduler().cancel(again);
    await scheduler().cancel(uniqueName('unknown'));
    await scheduler().schedule(task(again, 900, { round: 2 }));
    await waitFor('the task scheduled again', () => deliveriesOf(runs, again).length > 0, timeout);
    await sleep(1500);
    assert.is(deliveriesOf(runs, gone).length, 0, 'the cancelled task never ran');
    assert.equal(
      deliveriesOf(runs, again).map((d) => d.value),
      [{ round: 2 }],
    );
  });

  test('many tasks in one bucket and across buckets each run once', async () => {
    const start = Math.floor(clock.now() / MINUTE) * MINUTE + 2 * MINUTE;
    const ids: string[] = [];
    const batch = uniqueName('many');
    const tasks = [
      ...Array.from({ length: 60 }, (_, i) => ({ id: `${batch}-b-${i}`, at: start + i * 900 })),
      ...Array.from({ length: 30 }, (_, i) => ({ id: `${batch}-x-${i}`, at: start + (i + 1) * MINUTE + 7 })),
    ];
    for (let i = 0; i < tasks.length; i += 15) {
      await Promise.all(
        tasks.slice(i, i + 15).map(({ id, at }) => {
          ids.push(id);
          return scheduler().schedule({ id, topic: RUNS_TOPIC, payload: { id }, runAt: new Date(at) });
        }),
      );
    }
    await sleep(500);
    assert.ok(
      ids.every((id) => deliveriesOf(runs, id).length === 0),
      'none before its time',
    );
    clock.advance(start + 32 * MINUTE - clock.now());
    await waitFor('every task', () => ids.every((id) => deliveriesOf(runs, id).length > 0), timeout);
    await sleep(1000);
    for (const id of ids) assert.is(deliveriesOf(runs, id).length, 1, id);
  });

  test('a task due in the past (missed) runs at the next poll', async () => {
    const id = uniqueName('missed');
    await scheduler().schedule(task(id, -30 * MINUTE));
    await waitFor('the missed task', () => deliveriesOf(runs, id).length > 0, backend.real ? timeout : 2000);
    await sleep(500);
    assert.is(deliveriesOf(runs, id).length, 1);
  });

  test('/metrics has the lag gauge and the outcome counter', async () => {
    const text = await (await fetch(`${system?.url}/metrics`)).text();
    assert.match(text, /# TYPE dojo_scheduler_lag_seconds gauge\ndojo_scheduler_lag_seconds \d/);
    assert.ok(outcomeIn(text, 'published') >= 1, text);
    assert.ok(outcomeIn(text, 'scheduled') >= 1);
  });

  test('tasks due while every node was down run once when one comes back, over hours of buckets', async () => {
    const batch = uniqueName('down');
    const ids = Array.from({ length: 12 }, (_, i) => `${batch}-${i}`);
    await Promise.all(ids.map((id, i) => scheduler().schedule(task(id, (i * 27 + 1) * MINUTE))));
    await system?.stop();
    system = undefined;
    clock.advance(6 * 60 * MINUTE);
    await start();
    await waitFor('the missed tasks', () => ids.every((id) => deliveriesOf(runs, id).length > 0), timeout);
    await sleep(1000);
    for (const id of ids) assert.is(publishesOf(runs, id), 1, id);
  });

  test.run();
}
