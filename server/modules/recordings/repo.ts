import type { RecordingChapter, RecordingRef } from '../../capabilities.ts';
import { retry } from '../../lib/retry.ts';
import { dateOf, textOf, type Row, type Store } from '../../ports/store.ts';
import { OPEN_PARTITION, TABLES } from './schema.ts';

export type RecordingStatus = 'RECORDING' | 'PROCESSING' | 'READY' | 'FAILED';

export interface RecordingRow extends RecordingRef {
  readonly status: RecordingStatus;
  readonly startedAt: Date;
  readonly stoppedAt: Date | null;
  readonly touched: Date;
  readonly progress: number;
  readonly attempts: number;
  readonly notify: readonly string[];
  readonly videoKey: string | null;
  readonly durationMs: number | null;
  readonly chapters: readonly RecordingChapter[];
}

export interface Part {
  readonly part: string;
  readonly blobKey: string;
  readonly participantId: string;
  readonly startedAt: Date;
  readonly endedAt: Date;
  readonly kinds: readonly string[];
}

const STATUSES = new Set<RecordingStatus>(['RECORDING', 'PROCESSING', 'READY', 'FAILED']);
/** Writes here have fixed keys (idempotent), so repeating one after a timeout is safe. */
const again = { attempts: 3, baseDelayMs: 50, maxDelayMs: 500 } as const;
const num = (v: unknown) => (typeof v === 'number' ? v : 0);

export function toRecording(row: Row): RecordingRow {
  const status = textOf(row.status) as RecordingStatus;
  return {
    recordingId: textOf(row.recording_id),
    dojoId: textOf(row.dojo_id),
    tenantId: textOf(row.tenant_id),
    status: STATUSES.has(status) ? status : 'FAILED',
    startedAt: dateOf(row.started_at),
    stoppedAt: row.stopped_at instanceof Date ? row.stopped_at : null,
    touched: dateOf(row.touched),
    progress: num(row.progress),
    attempts: num(row.attempts),
    notify: Array.isArray(row.notify) ? (row.notify as string[]) : [],
    videoKey: typeof row.video_key === 'string' ? row.video_key : null,
    durationMs: typeof row.duration_ms === 'number' ? row.duration_ms : null,
    chapters: Array.isArray(row.chapters) ? (row.chapters as RecordingChapter[]) : [],
  };
}

export class RecordingsRepo {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  async create(ref: RecordingRef, at: Date): Promise<void> {
    await retry(
      () =>
        this.#store.batch([
          {
            kind: 'insert',
            table: TABLES.byDojo,
            row: {
              dojo_id: ref.dojoId,
              recording_id: ref.recordingId,
              tenant_id: ref.tenantId,
              status: 'RECORDING',
              started_at: at,
              touched: at,
              progress: 0,
              attempts: 0,
            },
          },
          {
            kind: 'insert',
            table: TABLES.open,
            row: { shard: OPEN_PARTITION, recording_id: ref.recordingId, dojo_id: ref.dojoId },
          },
        ]),
      again,
    );
  }

  async get(dojoId: string, recordingId: string): Promise<RecordingRow | undefined> {
    const row = await retry(
      () => this.#store.get(TABLES.byDojo, { dojo_id: dojoId, recording_id: recordingId }),
      again,
    );
    return row ? toRecording(row) : undefined;
  }

  /** The dojo's recordings, newest first (at most `limit`). */
  async list(dojoId: string, limit = 100): Promise<RecordingRow[]> {
    const page = await retry(
      () => this.#store.query(TABLES.byDojo, { where: { dojo_id: dojoId }, limit }),
      again,
    );
    return page.rows.map(toRecording).sort((a, b) => (a.recordingId < b.recordingId ? 1 : -1));
  }

  async update(ref: Pick<RecordingRef, 'dojoId' | 'recordingId'>, set: Row): Promise<void> {
    await retry(
      () => this.#store.update(TABLES.byDojo, { dojo_id: ref.dojoId, recording_id: ref.recordingId }, set),
      again,
    );
  }

  /**
   * Moves RECORDING to PROCESSING once (a lightweight transaction): a stop that is repeated, or a sweep
   * finishing an orphan while the room stops it, queues one composition.
   */
  async stop(ref: RecordingRef, at: Date, notify: readonly string[]): Promise<boolean> {
    const result = await this.#store.update(
      TABLES.byDojo,
      { dojo_id: ref.dojoId, recording_id: ref.recordingId },
      { status: 'PROCESSING', stopped_at: at, touched: new Date(), notify: [...new Set(notify)].sort() },
      { if: { status: 'RECORDING' } },
    );
    return result.applied;
  }

  async addPart(recordingId: string, part: Part): Promise<void> {
    await retry(
      () =>
        this.#store.insert(TABLES.parts, {
          recording_id: recordingId,
          part: part.part,
          blob_key: part.blobKey,
          participant_id: part.participantId,
          started_at: part.startedAt,
          ended_at: part.endedAt,
          kinds: [...part.kinds].sort(),
        }),
      again,
    );
  }

  async parts(recordingId: string, prefix: 'media/' | 'timeline/'): Promise<Part[]> {
    const out: Part[] = [];
    let pageState: string | undefined;
    do {
      const page = await retry(
        () =>
          this.#store.query(TABLES.parts, {
            where: { recording_id: recordingId },
            range: { column: 'part', gte: prefix, lt: `${prefix.slice(0, -1)}0` },
            limit: 1000,
            ...(pageState ? { pageState } : {}),
          }),
        again,
      );
      for (const row of page.rows) {
        out.push({
          part: textOf(row.part),
          blobKey: textOf(row.blob_key),
          participantId: textOf(row.participant_id),
          startedAt: dateOf(row.started_at),
          endedAt: dateOf(row.ended_at),
          kinds: Array.isArray(row.kinds) ? (row.kinds as string[]) : [],
        });
      }
      pageState = page.pageState;
    } while (pageState);
    return out;
  }

  /** Unfinished recordings (RECORDING or PROCESSING), for the sweep. */
  async open(): Promise<{ recordingId: string; dojoId: string }[]> {
    const page = await retry(
      () => this.#store.query(TABLES.open, { where: { shard: OPEN_PARTITION }, limit: 5000 }),
      again,
    );
    return page.rows.map((r) => ({ recordingId: textOf(r.recording_id), dojoId: textOf(r.dojo_id) }));
  }

  async closed(recordingId: string): Promise<void> {
    await retry(
      () => this.#store.delete(TABLES.open, { shard: OPEN_PARTITION, recording_id: recordingId }),
      again,
    );
  }
}
