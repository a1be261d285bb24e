import type { Logger } from './lib/log.ts';
import type { PeriodicTask } from './modules.ts';

/**
 * Runs the modules' periodic tasks on timers that never keep the process alive. A run never overlaps the
 * previous one of the same task; a failure is logged and the task runs again at its next tick. `stop`
 * clears the timers and waits for runs in progress.
 */
export function startPeriodicTasks(
  tasks: readonly PeriodicTask[],
  logger: Logger,
): { stop(): Promise<void> } {
  const running = new Set<Promise<void>>();
  const busy = new Set<PeriodicTask>();
  let stopped = false;
  const run = (task: PeriodicTask) => {
    if (stopped || busy.has(task)) return;
    busy.add(task);
    const done = task
      .run()
      .catch((error: unknown) => logger.warn({ err: error, task: task.name }, 'periodic task failed'))
      .finally(() => {
        busy.delete(task);
        running.delete(done);
      });
    running.add(done);
  };
  const timers = tasks.map((task) => {
    if (task.atStart) run(task);
    const timer = setInterval(() => run(task), task.everyMs);
    timer.unref();
    return timer;
  });
  return {
    stop: async () => {
      stopped = true;
      for (const timer of timers) clearInterval(timer);
      await Promise.allSettled([...running]);
    },
  };
}
