import { z } from 'zod';
import { EVENT_DOMAINS, type DomainEvent } from '../../capabilities.ts';
import type { DojoModule } from '../../modules.ts';
import type { DeliveredMessage } from '../../ports/queue.ts';
import { backfill } from './backfill.ts';
import { ReportBuilder, STALE_AFTER_MS } from './builder.ts';
import { enqueue, JOBS_TOPIC, reportEndpoints } from './endpoints.ts';
import { ReportJobs } from './jobs.ts';
import { project } from './projector.ts';
import { READ_MODEL_MIGRATIONS } from './read-model.ts';
import { userYear } from './user-year.ts';

export interface ReportsOptions {
  readonly now?: () => Date;
  /** Events one projector transaction applies at most (default 1000). */
  readonly projectorBatch?: number;
  /** How long a RUNNING report may show no progress before it is taken for a dead worker's (default 2 min). */
  readonly staleMs?: number;
}

const JOB_RETRY = { attempts: 3, baseDelayMs: 1000, maxDelayMs: 10_000 };
const event = z.object({
  eventId: z.uuid(),
  domain: z.enum(EVENT_DOMAINS),
  type: z.string().min(1),
  version: z.number().int(),
  tenantId: z.uuid(),
  at: z.iso.datetime(),
  data: z.record(z.string(), z.unknown()),
});
const job = z.object({ reportId: z.uuid() });

/**
 * Reports (issue #12): the projector turns the domain events into the read model in PostgreSQL (the
 * analytics port), and the report jobs turn the read model into JSON and PDF files in the blob store.
 * `reportsAdmin.backfill()` rebuilds the read model from the system of record.
 */
export function createReportsModule(options: ReportsOptions = {}): DojoModule {
  const now = options.now ?? (() => new Date());
  const staleMs = options.staleMs ?? STALE_AFTER_MS;
  return {
    name: 'reports',
    topics: [JOBS_TOPIC],
    init: async (ctx) => {
      const logger = ctx.logger.child({ module: 'reports' });
      const db = ctx.adapters.analytics;
      await db.migrate(READ_MODEL_MIGRATIONS);
      const jobs = new ReportJobs(db, now);
      const queue = ctx.adapters.queue;
      const builder = new ReportBuilder({
        jobs,
        db,
        blobs: ctx.adapters.blobs,
        push: () => ctx.optional('push'),
        notify: () => ctx.optional('notify'),
        logger,
        now,
        currency: ctx.config.plans.find((p) => p.plan === 'M')?.currency ?? 'USD',
        staleMs,
      });
      const eventsOf = (messages: readonly DeliveredMessage[]): DomainEvent[] =>
        messages.flatMap((m) => {
          const parsed = event.safeParse(m.value);
          if (parsed.success) return [parsed.data];
          logger.warn({ topic: m.topic, offset: m.offset }, 'malformed domain event skipped');
          return [];
        });
      return {
        endpoints: reportEndpoints({ jobs, queue, blobs: ctx.adapters.blobs, now }),
        workers: [
          ...EVENT_DOMAINS.map((domain) => ({
            topic: `events.${domain}`,
            // A group per topic: kafkajs assigns a group's partitions as if every member read every topic.
            group: `reports-projector.${domain}`,
            batch: {
              maxMessages: options.projectorBatch ?? 1000,
              handler: async (messages: readonly DeliveredMessage[]) =>
                void (await project(db, eventsOf(messages))),
            },
          })),
          {
            topic: JOBS_TOPIC,
            group: 'reports-builder',
            retry: JOB_RETRY,
            handler: async (message: DeliveredMessage) => {
              const parsed = job.safeParse(message.value);
              if (!parsed.success)
                return logger.warn({ offset: message.offset }, 'malformed report job dropped');
              await builder.run(parsed.data.reportId, message.attempt >= JOB_RETRY.attempts);
            },
          },
        ],
        tasks: ctx.config.roles.includes('workers')
          ? [
              {
                name: 'reports-sweep',
                everyMs: Math.max(1000, Math.min(60_000, staleMs / 2)),
                run: async () => {
                  for (const report of await jobs.requeueStale(new Date(now().getTime() - staleMs))) {
                    await enqueue(queue, report);
                  }
                },
              },
            ]
          : [],
        provides: {
          reportsAdmin: { backfill: () => backfill(db, ctx.history(), now) },
          readModel: { userYear: (tenantId, userId, year) => userYear(db, tenantId, userId, year) },
        },
      };
    },
  };
}
