import type { DojoModule } from '../../modules.ts';
import { SETTLE_MS, bucketOf } from './buckets.ts';
import { schedulerMetrics } from './metrics.ts';
import { Poller } from './poller.ts';
import { SchedulerRepo } from './repo.ts';
import { createScheduler } from './scheduler.ts';
import { SCHEDULER_MIGRATIONS } from './schema.ts';

export interface SchedulerOptions {
  /** The clock, epoch ms (default Date.now): tests, and simulations of billing, move it. */
  readonly now?: () => number;
  /** How often a workers node polls the due buckets (default 500 ms): the usual lateness of a task. */
  readonly pollMs?: number;
  /** A claim older than this is taken to be a dead node's, and the task is published again (default 30 s). */
  readonly claimTimeoutMs?: number;
  /** Due entries one poll handles at most (default 1000); the rest wait for the next poll. */
  readonly batchSize?: number;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`scheduler option ${name} must be a positive integer`);
  return v;
}

/**
 * The scheduler (durable delayed tasks): any module asks through `ctx.scheduler` to have a payload
 * published to a topic at a time, or cancels it. Tasks live in the store (a row by id, an index by due
 * minute); every workers node polls the index, a lightweight transaction gives each due task to exactly
 * one of them, and that node publishes it to the queue (at least once: consumers are idempotent).
 */
export function createSchedulerModule(options: SchedulerOptions = {}): DojoModule {
  const now = options.now ?? Date.now;
  const pollMs = positive('pollMs', options.pollMs, 500);
  const claimTimeoutMs = positive('claimTimeoutMs', options.claimTimeoutMs, 30_000);
  const batchSize = positive('batchSize', options.batchSize, 1000);
  return {
    name: 'scheduler',
    migrations: SCHEDULER_MIGRATIONS,
    init: async (ctx) => {
      const logger = ctx.logger.child({ module: 'scheduler' });
      const repo = new SchedulerRepo(ctx.adapters.store);
      const metrics = schedulerMetrics(ctx.metrics.registry);
      // Before any schedule of this node: the first cursor starts behind anything a node could index.
      await repo.initCursor(bucketOf(now() - SETTLE_MS));
      const poller = ctx.config.roles.includes('workers')
        ? new Poller({ repo, queue: ctx.adapters.queue, now, logger, metrics, claimTimeoutMs, batchSize })
        : undefined;
      return {
        tasks: poller
          ? [{ name: 'scheduler-poll', everyMs: pollMs, atStart: true, run: () => poller.poll() }]
          : [],
        provides: { scheduler: createScheduler({ repo, now, metrics }) },
      };
    },
  };
}
