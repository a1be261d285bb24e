import type { Logger } from '../../lib/log.ts';
import type { Queue } from '../../ports/queue.ts';
import type { RecordingsRepo } from './repo.ts';
import { enqueueComposition } from './service.ts';

export interface SweepOptions {
  readonly repo: RecordingsRepo;
  readonly queue: Queue;
  readonly logger: Logger;
  readonly now: () => Date;
  /** A RECORDING row nobody touched for this long belongs to a room that died with its node. */
  readonly orphanMs: number;
  /** A PROCESSING row with no progress for this long lost its worker (or its job). */
  readonly staleMs: number;
}

/**
 * Finishes what crashed: a recording whose room died (and was not reopened) is ended at its last touch
 * and composed from what reached the blob store; a composition whose worker died is queued again.
 */
export async function sweepRecordings(o: SweepOptions): Promise<void> {
  const now = o.now().getTime();
  for (const { recordingId, dojoId } of await o.repo.open()) {
    const r = await o.repo.get(dojoId, recordingId);
    if (!r || r.status === 'READY' || r.status === 'FAILED') {
      await o.repo.closed(recordingId);
      continue;
    }
    const idle = now - r.touched.getTime();
    if (r.status === 'RECORDING' && idle > o.orphanMs) {
      o.logger.warn({ recordingId, dojoId }, 'recording orphaned by its room: composing what was stored');
      if (await o.repo.stop(r, r.touched, r.notify)) await enqueueComposition(o.queue, r);
    } else if (r.status === 'PROCESSING' && idle > o.staleMs) {
      await o.repo.update(r, { touched: o.now() });
      await enqueueComposition(o.queue, r);
    }
  }
}
