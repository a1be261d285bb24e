import { dateOf, textOf, type Row, type Store } from '../../ports/store.ts';
import { CURSOR_NAME, TABLES } from './schema.ts';

/** A task's row by id: the version that counts, and who holds its claim. */
export interface TaskRow {
  readonly taskId: string;
  readonly version: string;
  readonly topic: string;
  readonly payload: Record<string, unknown>;
  readonly runAt: number;
  readonly bucket: number;
  readonly state: 'S' | 'C';
  readonly claim: string;
  readonly claimedAt: number;
  readonly attempts: number;
}

/** An entry of the due-time index (one per version and placement). */
export interface IndexRow {
  readonly bucket: number;
  readonly runAt: number;
  readonly taskId: string;
  readonly version: string;
  readonly topic: string;
  readonly payload: Record<string, unknown>;
  readonly attempts: number;
}

const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const record = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

function taskOf(row: Row): TaskRow {
  return {
    taskId: textOf(row.task_id),
    version: textOf(row.version),
    topic: textOf(row.topic),
    payload: record(row.payload),
    runAt: dateOf(row.run_at).getTime(),
    bucket: num(row.bucket),
    state: row.state === 'C' ? 'C' : 'S',
    claim: textOf(row.claim),
    claimedAt: dateOf(row.claimed_at).getTime(),
    attempts: num(row.attempts),
  };
}

function indexOf(row: Row): IndexRow {
  return {
    bucket: num(row.bucket),
    runAt: dateOf(row.run_at).getTime(),
    taskId: textOf(row.task_id),
    version: textOf(row.version),
    topic: textOf(row.topic),
    payload: record(row.payload),
    attempts: num(row.attempts),
  };
}

const indexKey = (row: Pick<IndexRow, 'bucket' | 'runAt' | 'taskId' | 'version'>): Row => ({
  bucket: row.bucket,
  run_at: new Date(row.runAt),
  task_id: row.taskId,
  version: row.version,
});

/**
 * The scheduler's reads and writes. Every write of a `scheduled_tasks` row is a lightweight transaction
 * (never mixed with plain writes on that row); index and cursor rows are written as the methods say.
 */
export class SchedulerRepo {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  async task(taskId: string): Promise<TaskRow | undefined> {
    const row = await this.#store.get(TABLES.tasks, { task_id: taskId });
    return row ? taskOf(row) : undefined;
  }

  /** Writes a new version: when no row exists (`expected` undefined) or over version `expected`. */
  async putTask(task: TaskRow, expected: string | undefined): Promise<boolean> {
    const set = {
      version: task.version,
      topic: task.topic,
      payload: task.payload,
      run_at: new Date(task.runAt),
      bucket: task.bucket,
      state: 'S',
      attempts: 0,
    };
    const result =
      expected === undefined
        ? await this.#store.insert(TABLES.tasks, { task_id: task.taskId, ...set }, { ifNotExists: true })
        : await this.#store.update(TABLES.tasks, { task_id: task.taskId }, set, {
            if: { version: expected },
          });
    return result.applied;
  }

  /** Deletes the task if it still is `version` (and, with `claim`, still claimed with that token). */
  async deleteTask(taskId: string, version: string, claim?: string): Promise<boolean> {
    const condition = claim === undefined ? { version } : { version, claim };
    return (await this.#store.delete(TABLES.tasks, { task_id: taskId }, { if: condition })).applied;
  }

  /**
   * Claims `version` while it waits (`S`), or takes over a claim whose token is `staleClaim`. A refusal
   * reports the row as it stands (undefined: the task is gone).
   */
  async claim(
    taskId: string,
    version: string,
    claim: string,
    at: number,
    staleClaim?: string,
  ): Promise<{ applied: boolean; current: TaskRow | undefined }> {
    const condition = staleClaim === undefined ? { version, state: 'S' } : { version, claim: staleClaim };
    const result = await this.#store.update(
      TABLES.tasks,
      { task_id: taskId },
      { state: 'C', claim, claimed_at: new Date(at) },
      { if: condition },
    );
    return { applied: result.applied, current: result.current ? taskOf(result.current) : undefined };
  }

  /** Gives a claimed version back, due again at `runAt` in `bucket`, after a failed publish. */
  async release(task: TaskRow, claim: string): Promise<boolean> {
    const set = {
      state: 'S',
      run_at: new Date(task.runAt),
      bucket: task.bucket,
      attempts: task.attempts,
    };
    const condition = { version: task.version, claim };
    const result = await this.#store.update(TABLES.tasks, { task_id: task.taskId }, set, { if: condition });
    return result.applied;
  }

  /** Plain upsert: the same entry written twice is one entry. */
  async putIndex(row: IndexRow): Promise<void> {
    await this.#store.insert(TABLES.byBucket, {
      ...indexKey(row),
      topic: row.topic,
      payload: row.payload,
      attempts: row.attempts,
    });
  }

  /** Plain delete of one entry: its key names the version, so it never removes a newer one. */
  async dropIndex(row: Pick<IndexRow, 'bucket' | 'runAt' | 'taskId' | 'version'>): Promise<void> {
    await this.#store.delete(TABLES.byBucket, indexKey(row));
  }

  /** A page of the bucket's entries due at `now`, oldest first. */
  async due(
    bucket: number,
    now: number,
    limit: number,
    pageState?: string,
  ): Promise<{ rows: IndexRow[]; pageState: string | undefined }> {
    const page = await this.#store.query(TABLES.byBucket, {
      where: { bucket },
      range: { column: 'run_at', lte: new Date(now) },
      limit,
      ...(pageState === undefined ? {} : { pageState }),
    });
    return { rows: page.rows.map(indexOf), pageState: page.pageState };
  }

  async cursor(): Promise<number | undefined> {
    const row = await this.#store.get(TABLES.cursor, { name: CURSOR_NAME });
    return row ? num(row.bucket) : undefined;
  }

  /** Creates the cursor at `bucket` unless it exists; answers where it stands. */
  async initCursor(bucket: number): Promise<number> {
    const result = await this.#store.insert(
      TABLES.cursor,
      { name: CURSOR_NAME, bucket },
      { ifNotExists: true },
    );
    return result.applied ? bucket : num(result.current?.bucket);
  }

  /** Moves the cursor from `from` to `to` unless another node moved it first. */
  async moveCursor(from: number, to: number): Promise<boolean> {
    const key = { name: CURSOR_NAME };
    return (await this.#store.update(TABLES.cursor, key, { bucket: to }, { if: { bucket: from } })).applied;
  }
}
