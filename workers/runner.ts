import type { Logger } from '../server/lib/log.ts';
import type { WorkerDefinition } from '../server/modules.ts';
import type { Queue, Subscription } from '../server/ports/queue.ts';

/** The workers role: one queue subscription per worker definition, closed together at shutdown. */
export async function startWorkers(options: {
  readonly queue: Queue;
  readonly workers: readonly WorkerDefinition[];
  readonly logger: Logger;
}): Promise<{ close(): Promise<void> }> {
  // Subscribed together: a Kafka consumer group takes seconds to join, and a node with many workers
  // would otherwise serve its last topic only after all the others had joined one by one.
  const subscribed = await Promise.allSettled(
    options.workers.map(async (w) => {
      const log = options.logger.child({ role: 'workers', topic: w.topic, group: w.group });
      const base = { topic: w.topic, group: w.group, ...(w.retry ? { retry: w.retry } : {}) };
      const subscription =
        'batch' in w
          ? await options.queue.subscribeBatch({
              ...base,
              ...(w.batch.maxMessages ? { maxMessages: w.batch.maxMessages } : {}),
              handler: async (messages) => {
                const started = performance.now();
                await w.batch.handler(messages);
                log.debug({ messages: messages.length, ms: performance.now() - started }, 'batch done');
              },
            })
          : await options.queue.subscribe({
              ...base,
              handler: async (message) => {
                const started = performance.now();
                await w.handler(message);
                log.debug(
                  { key: message.key, offset: message.offset, ms: performance.now() - started },
                  'job done',
                );
              },
            });
      log.info('worker subscribed');
      return subscription;
    }),
  );
  const subscriptions: Subscription[] = [];
  for (const r of subscribed) if (r.status === 'fulfilled') subscriptions.push(r.value);
  const failed = subscribed.find((r) => r.status === 'rejected');
  if (failed) {
    await Promise.allSettled(subscriptions.map((s) => s.close()));
    throw failed.reason;
  }
  return {
    close: async () => {
      await Promise.allSettled(subscriptions.map((s) => s.close()));
    },
  };
}
