import type { Registry } from 'prom-client';
import { loadConfig } from '../../config/index.ts';
import type { Adapters } from '../../server/adapters/index.ts';
import type { Scheduler } from '../../server/capabilities.ts';
import { Metrics } from '../../server/http/metrics.ts';
import { silentLogger } from '../../server/lib/log.ts';
import { createModuleContext } from '../../server/module-context.ts';
import { createSchedulerModule, type SchedulerOptions } from '../../server/modules/scheduler/index.ts';
import type { Queue } from '../../server/ports/queue.ts';
import type { Store } from '../../server/ports/store.ts';
import { startPeriodicTasks } from '../../server/tasks.ts';

/**
 * A scheduler module instance on given store and queue connections, as the kernel would init it on a
 * workers node: the test calls its periodic poll itself (`poll`) or runs it on the kernel's timers (`run`).
 */
export interface ModuleNode {
  readonly scheduler: Scheduler;
  readonly registry: Registry;
  poll(): Promise<void>;
  run(): { stop(): Promise<void> };
}

export async function moduleNode(
  adapters: { readonly store: Store; readonly queue: Queue },
  options: SchedulerOptions,
): Promise<ModuleNode> {
  const metrics = new Metrics();
  // The scheduler reaches only the store and the queue among the adapters.
  const partial = adapters as unknown as Adapters;
  const { ctx } = createModuleContext({
    config: loadConfig({ ROLES: 'workers', NODE_ENV: 'test' }),
    logger: silentLogger(),
    metrics,
    adapters: partial,
  });
  const instance = await createSchedulerModule(options).init(ctx);
  const scheduler = instance.provides?.scheduler;
  const task = instance.tasks?.[0];
  if (!scheduler || !task) throw new Error('the scheduler provides `scheduler` and polls on workers nodes');
  return {
    scheduler,
    registry: metrics.registry,
    poll: () => task.run(),
    run: () => startPeriodicTasks([task], silentLogger()),
  };
}

/** `dojo_scheduler_tasks_total` by outcome in a registry. */
export async function outcomes(registry: Registry): Promise<Record<string, number>> {
  const metric = registry.getSingleMetric('dojo_scheduler_tasks_total');
  const values = (await metric?.get())?.values ?? [];
  return Object.fromEntries(values.map((v) => [String(v.labels.outcome), v.value]));
}

export async function lagSeconds(registry: Registry): Promise<number | undefined> {
  const values = (await registry.getSingleMetric('dojo_scheduler_lag_seconds')?.get())?.values ?? [];
  return values[0]?.value;
}

/** `dojo_scheduler_tasks_total{outcome}` in a /metrics text (0 when absent). */
export function outcomeIn(text: string, outcome: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`dojo_scheduler_tasks_total{outcome="${outcome}"}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

/** A queue whose publish never returns: the node dies between its claim and its publish. */
export function hangingQueue(queue: Queue, entered: () => void): Queue {
  return {
    name: 'hanging',
    ensureTopics: (t) => queue.ensureTopics(t),
    publish: () => {
      entered();
      return new Promise<void>(() => {});
    },
    subscribe: (o) => queue.subscribe(o),
    subscribeBatch: (o) => queue.subscribeBatch(o),
    health: () => queue.health(),
    close: async () => {},
  };
}

/** A store whose updates of task rows (the claims) fail while `failing()` says so. */
export function flakyStore(store: Store, failing: () => boolean): Store {
  const update: Store['update'] = (table, ...rest) =>
    table === 'scheduled_tasks' && failing()
      ? Promise.reject(new Error('store down'))
      : store.update(table, ...rest);
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'update') return update;
      const value: unknown = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
