import { setTimeout as sleep } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
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

/**
 * Three whole systems (api + workers) on one store and one queue, each with the scheduler and the recorder
 * (one consumer group of three members): needs a store and a queue that several systems can share.
 */
export function systemsSuite(backend: Backend): void {
  const test = suite(`scheduler: three systems (${backend.label})`);
  const { clock } = backend;
  const runs: Delivery[] = [];
  const systems: TestSystem[] = [];

  test.before(async () => {
    for (let i = 0; i < 3; i++) {
      const modules = [createSchedulerModule({ now: clock.now, pollMs: 200 }), recorderModule(runs, clock)];
      systems.push(await startTestSystem({ env: backend.env, modules }));
    }
  });
  test.after(async () => {
    await Promise.allSettled(systems.map((s) => s.cleanup()));
  });

  test('a task due in 2 s runs once with three nodes running', async () => {
    const id = uniqueName('three-systems');
    const runAt = new Date(clock.now() + 2000);
    await systems[1]?.capabilities.scheduler?.schedule({ id, topic: RUNS_TOPIC, payload: { id }, runAt });
    await waitFor('the task', () => deliveriesOf(runs, id).length > 0, 90_000);
    await sleep(3000);
    assert.is(publishesOf(runs, id), 1, 'handed to the queue once');
    assert.is(deliveriesOf(runs, id).length, 1, 'delivered once');
    assert.ok((deliveriesOf(runs, id)[0]?.at ?? 0) >= runAt.getTime());
    const texts = await Promise.all(systems.map(async (s) => (await fetch(`${s.url}/metrics`)).text()));
    assert.is(
      texts.reduce((sum, t) => sum + outcomeIn(t, 'published'), 0),
      1,
      'one of the three published it',
    );
  });

  test.run();
}
