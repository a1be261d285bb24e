import { z } from 'zod';
import type { DojoModule } from '../../modules.ts';
import type { DeliveredMessage } from '../../ports/queue.ts';
import { VideoBuilder } from './builder.ts';
import { enqueue, JOBS_TOPIC, videoEndpoints } from './endpoints.ts';
import { VIDEO_MIGRATIONS, VideoJobs } from './jobs.ts';

export interface VideosOptions {
  readonly now?: () => Date;
  /** How long a RUNNING render may show no progress before it is taken for a dead worker's (default 2 min). */
  readonly staleMs?: number;
  /** Frame size (default 1080). */
  readonly size?: number;
}

const JOB_RETRY = { attempts: 2, baseDelayMs: 2000, maxDelayMs: 10_000 };
const job = z.object({ videoId: z.uuid() });

/**
 * The year in review (issue #13): `POST /v1/video/yearly` queues a render of the caller's year of POCs
 * (data from the reporting read model, `ctx.readModel`), a workers node draws and encodes it, stores the
 * MP4 and its poster through the blob port, and tells the user (`job:progress`, `video.ready`).
 */
export function createVideosModule(options: VideosOptions = {}): DojoModule {
  const now = options.now ?? (() => new Date());
  const staleMs = options.staleMs ?? 2 * 60_000;
  return {
    name: 'videos',
    topics: [JOBS_TOPIC],
    init: async (ctx) => {
      const logger = ctx.logger.child({ module: 'videos' });
      const db = ctx.adapters.analytics;
      await db.migrate(VIDEO_MIGRATIONS);
      const jobs = new VideoJobs(db, now);
      const queue = ctx.adapters.queue;
      const builder = new VideoBuilder({
        jobs,
        readModel: () => ctx.readModel,
        auth: () => ctx.auth,
        blobs: ctx.adapters.blobs,
        push: () => ctx.optional('push'),
        notify: () => ctx.optional('notify'),
        logger,
        staleMs,
        ...(options.size ? { size: options.size } : {}),
      });
      return {
        endpoints: videoEndpoints({ jobs, queue, blobs: ctx.adapters.blobs, now }),
        workers: [
          {
            topic: JOBS_TOPIC,
            group: 'videos-renderer',
            retry: JOB_RETRY,
            handler: async (message: DeliveredMessage) => {
              const parsed = job.safeParse(message.value);
              if (!parsed.success)
                return logger.warn({ offset: message.offset }, 'malformed video job dropped');
              await builder.run(parsed.data.videoId, message.attempt >= JOB_RETRY.attempts);
            },
          },
        ],
        tasks: ctx.config.roles.includes('workers')
          ? [
              {
                name: 'videos-sweep',
                everyMs: Math.max(1000, Math.min(60_000, staleMs / 2)),
                run: async () => {
                  for (const video of await jobs.requeueStale(new Date(now().getTime() - staleMs))) {
                    await enqueue(queue, video);
                  }
                },
              },
            ]
          : [],
      };
    },
  };
}
