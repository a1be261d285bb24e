import type { NewDomainEvent } from '../../capabilities.ts';
import { scanPages, type Store } from '../../ports/store.ts';
import { toRecording, type RecordingRow } from './repo.ts';
import { TABLES } from './schema.ts';

/** The fact the reports count: a recording composed and stored, dated when it was recorded. */
export const storedEvent = (r: RecordingRow, durationMs: number): NewDomainEvent => ({
  domain: 'dojos',
  type: 'recording.stored',
  version: 1,
  tenantId: r.tenantId,
  at: r.startedAt,
  data: { recordingId: r.recordingId, dojoId: r.dojoId, durationMs },
});

/** Every stored (READY) recording, as its event, for a backfill of the read model. */
export async function* recordingsHistory(store: Store): AsyncGenerator<NewDomainEvent[]> {
  for await (const rows of scanPages(store, TABLES.byDojo)) {
    yield rows
      .map(toRecording)
      .filter((r) => r.status === 'READY')
      .map((r) => storedEvent(r, r.durationMs ?? 0));
  }
}
