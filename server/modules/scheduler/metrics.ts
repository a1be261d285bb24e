import { Counter, Gauge, type Registry } from 'prom-client';

/** What happened to a task, as counted by `dojo_scheduler_tasks_total{outcome}`. */
export type Outcome =
  'scheduled' | 'moved' | 'cancelled' | 'published' | 'republished' | 'publish_failed' | 'stale_dropped';

export interface SchedulerMetrics {
  counted(outcome: Outcome, n?: number): void;
  /** Seconds between the poll and the due time of the oldest due, unclaimed task it found (0: none). */
  lag(seconds: number): void;
}

export function schedulerMetrics(registry: Registry): SchedulerMetrics {
  const tasks = new Counter({
    name: 'dojo_scheduler_tasks_total',
    help: 'Scheduled tasks by outcome (published: handed to the queue; republished: after a stale claim)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const lag = new Gauge({
    name: 'dojo_scheduler_lag_seconds',
    help: "Now minus the due time of the oldest due, unclaimed task at this node's last poll (0 if none)",
    registers: [registry],
  });
  return {
    counted: (outcome, n = 1) => {
      if (n > 0) tasks.inc({ outcome }, n);
    },
    lag: (seconds) => lag.set(seconds),
  };
}
