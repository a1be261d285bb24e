import type { Logger } from '../server/lib/log.ts';
import type { WorkerDefinition } from '../server/modules.ts';
import type { Queue, Subscription } from '../server/ports/queue.ts';

/** The workers role: one queue subscription per worker definition, closed together at shutdown. */
export async function startWorkers(options: {
  readonly queue: Queue;
  readonly workers: readonly WorkerDefinition[];
  readonly logger: Logger;
}): Promise<{ close(): Promise<void> }> {
  const subscriptions: Subscription[] = [];
  for (const w of options.workers) {
    const log = options.logger.child({ role: 'workers', topic: w.topic, group: w.group });
    subscriptions.push(
      await options.queue.subscribe({
        topic: w.topic,
        group: w.group,
        ...(w.retry ? { retry: w.retry } : {}),
        handler: async (message) => {
          const started = performance.now();
          await w.handler(message);
          log.debug(
            { key: message.key, offset: message.offset, ms: performance.now() - started },
            'job done',
          );
        },
      }),
    );
    log.info('worker subscribed');
  }
  return {
    close: async () => {
      await Promise.allSettled(subscriptions.map((s) => s.close()));
    },
  };
}
