import { z } from 'zod';
import type { DojoModule } from '../../modules.ts';
import type { DeliveredMessage } from '../../ports/queue.ts';
import { RecordingComposer } from './composer.ts';
import { recordingsHistory } from './history.ts';
import { RecordingsRepo } from './repo.ts';
import { RECORDINGS_MIGRATIONS } from './schema.ts';
import { COMPOSE_TOPIC, RecordingsService } from './service.ts';
import { sweepRecordings } from './sweep.ts';

export interface RecordingsOptions {
  readonly now?: () => Date;
  /** A RECORDING row untouched this long is a dead room's (default 2 min; rooms touch every 10 s). */
  readonly orphanMs?: number;
  /** A PROCESSING row without progress this long lost its worker (default 3 min). */
  readonly staleMs?: number;
  /** The MP4's frame size (default 1280×720). */
  readonly size?: { readonly width: number; readonly height: number };
}

const JOB_RETRY = { attempts: 2, baseDelayMs: 2000, maxDelayMs: 10_000 };
const job = z.object({ recordingId: z.uuid(), dojoId: z.uuid() });

/**
 * Dojo recordings (issue #14): the live room records through the SFU and hands segments and timeline
 * chunks to the `recordings` capability; a workers node composes the MP4 with a chapter per pilot turn.
 */
export function createRecordingsModule(options: RecordingsOptions = {}): DojoModule {
  const now = options.now ?? (() => new Date());
  const orphanMs = options.orphanMs ?? 2 * 60_000;
  const staleMs = options.staleMs ?? 3 * 60_000;
  return {
    name: 'recordings',
    migrations: RECORDINGS_MIGRATIONS,
    topics: [COMPOSE_TOPIC],
    init: (ctx) => {
      const logger = ctx.logger.child({ module: 'recordings' });
      const repo = new RecordingsRepo(ctx.adapters.store);
      const queue = ctx.adapters.queue;
      const blobs = ctx.adapters.blobs;
      const composer = new RecordingComposer({
        repo,
        blobs,
        auth: () => ctx.auth,
        push: () => ctx.optional('push'),
        notify: () => ctx.optional('notify'),
        events: () => ctx.optional('events'),
        logger,
        ...(options.size ? { size: options.size } : {}),
      });
      return {
        provides: { recordings: new RecordingsService({ repo, blobs, queue, now }) },
        history: () => recordingsHistory(ctx.adapters.store),
        workers: [
          {
            topic: COMPOSE_TOPIC,
            group: 'recordings-composer',
            retry: JOB_RETRY,
            handler: async (message: DeliveredMessage) => {
              const parsed = job.safeParse(message.value);
              if (!parsed.success)
                return logger.warn({ offset: message.offset }, 'malformed composition job dropped');
              const { dojoId, recordingId } = parsed.data;
              await composer.run(dojoId, recordingId, message.attempt >= JOB_RETRY.attempts);
            },
          },
        ],
        tasks: ctx.config.roles.includes('workers')
          ? [
              {
                name: 'recordings-sweep',
                everyMs: Math.max(1000, Math.min(30_000, orphanMs / 4)),
                run: () => sweepRecordings({ repo, queue, logger, now, orphanMs, staleMs }),
              },
            ]
          : [],
      };
    },
  };
}
