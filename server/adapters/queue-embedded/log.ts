/**
 * The durable log behind the embedded queue: one SQLite file, WAL + synchronous=FULL so an append that
 * returned survives kill -9 (and a power cut). The connection runs in EXCLUSIVE locking mode and takes the
 * write lock at open, so a second process opening the same file is refused instead of racing this one
 * (the lock is the OS's, released when the process dies).
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { AppError, unavailable } from '../../lib/errors.ts';

export interface StoredMessage {
  readonly offset: number;
  readonly key: string;
  readonly value: string;
  readonly headers: string;
}

export interface AppendRow {
  readonly partition: number;
  readonly key: string;
  readonly value: string;
  readonly headers: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS topics (
  topic TEXT PRIMARY KEY, partitions INTEGER NOT NULL, created INTEGER NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS log_ends (
  topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset INTEGER NOT NULL,
  PRIMARY KEY (topic, partition)) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS messages (
  topic TEXT NOT NULL, partition INTEGER NOT NULL, "offset" INTEGER NOT NULL, key TEXT NOT NULL,
  value TEXT NOT NULL, headers TEXT NOT NULL, created INTEGER NOT NULL,
  PRIMARY KEY (topic, partition, "offset")) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS committed_offsets (
  grp TEXT NOT NULL, topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset INTEGER NOT NULL,
  PRIMARY KEY (grp, topic, partition)) STRICT, WITHOUT ROWID;
`;

const SQLITE_BUSY = 5;

export class QueueLog {
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();

  constructor(file: string) {
    let db: DatabaseSync | undefined;
    try {
      db = new DatabaseSync(file, { timeout: 250 });
      db.exec('PRAGMA locking_mode = EXCLUSIVE');
      db.exec('PRAGMA journal_mode = WAL');
      db.exec('PRAGMA synchronous = FULL');
      db.exec(`BEGIN IMMEDIATE; ${SCHEMA} COMMIT;`);
    } catch (error) {
      db?.close();
      if ((error as { errcode?: unknown }).errcode === SQLITE_BUSY) {
        throw new AppError(
          'QUEUE.LOCKED',
          `${file} is in use by another process: one embedded queue serves one process (use Kafka to share)`,
          { kind: 'INTERNAL', cause: error },
        );
      }
      throw unavailable('QUEUE.UNAVAILABLE', `cannot open the embedded queue at ${file}`, error);
    }
    this.#db = db;
  }

  #sql(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #transaction<T>(fn: () => T): T {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const result = fn();
      this.#db.exec('COMMIT');
      return result;
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  /** The partition count of a topic, or undefined when it was never created. */
  partitions(topic: string): number | undefined {
    const row = this.#sql('SELECT partitions FROM topics WHERE topic = ?').get(topic);
    return row ? Number(row.partitions) : undefined;
  }

  createTopic(topic: string, partitions: number, now: number): void {
    this.#transaction(() => {
      const created = this.#sql('INSERT OR IGNORE INTO topics VALUES (?, ?, ?)').run(topic, partitions, now);
      if (created.changes === 0) return;
      const end = this.#sql('INSERT INTO log_ends VALUES (?, ?, 0)');
      for (let p = 0; p < partitions; p++) end.run(topic, p);
    });
  }

  /** Appends in one transaction; offsets come from log_ends so they keep growing after retention. */
  append(topic: string, rows: readonly AppendRow[], now: number): void {
    this.#transaction(() => {
      const next = this.#sql(
        'UPDATE log_ends SET next_offset = next_offset + 1 WHERE topic = ? AND partition = ? RETURNING next_offset - 1 AS o',
      );
      const insert = this.#sql('INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, ?)');
      for (const row of rows) {
        const offset = next.get(topic, row.partition)?.o;
        if (offset === undefined) throw new Error(`no partition ${row.partition} in topic ${topic}`);
        insert.run(topic, row.partition, offset, row.key, row.value, row.headers, now);
      }
    });
  }

  read(topic: string, partition: number, from: number, limit: number): StoredMessage[] {
    return this.#sql(
      'SELECT "offset", key, value, headers FROM messages WHERE topic = ? AND partition = ? AND "offset" >= ? ORDER BY "offset" LIMIT ?',
    )
      .all(topic, partition, from, limit)
      .map((r) => ({
        offset: Number(r.offset),
        key: String(r.key),
        value: String(r.value),
        headers: String(r.headers),
      }));
  }

  committed(group: string, topic: string, partition: number): number | undefined {
    const row = this.#sql(
      'SELECT next_offset FROM committed_offsets WHERE grp = ? AND topic = ? AND partition = ?',
    ).get(group, topic, partition);
    return row ? Number(row.next_offset) : undefined;
  }

  /**
   * Gives a group with no committed offset its starting point (the oldest retained message, or the log end),
   * so retention counts the group from the moment it subscribes.
   */
  initOffset(group: string, topic: string, partition: number, fromBeginning: boolean): void {
    const start = fromBeginning
      ? 'COALESCE((SELECT MIN("offset") FROM messages WHERE topic = ?2 AND partition = ?3), (SELECT next_offset FROM log_ends WHERE topic = ?2 AND partition = ?3))'
      : '(SELECT next_offset FROM log_ends WHERE topic = ?2 AND partition = ?3)';
    this.#sql(`INSERT OR IGNORE INTO committed_offsets VALUES (?1, ?2, ?3, ${start})`).run(
      group,
      topic,
      partition,
    );
  }

  commit(group: string, topic: string, partition: number, nextOffset: number): void {
    this.#sql(
      'INSERT INTO committed_offsets VALUES (?, ?, ?, ?) ON CONFLICT (grp, topic, partition) DO UPDATE SET next_offset = excluded.next_offset',
    ).run(group, topic, partition, nextOffset);
  }

  /** Deletes messages older than `cutoff` that every group with an offset on their partition has passed. */
  prune(cutoff: number): number {
    return Number(
      this.#sql(
        `DELETE FROM messages WHERE created < ? AND "offset" < COALESCE((SELECT MIN(c.next_offset)
           FROM committed_offsets c WHERE c.topic = messages.topic AND c.partition = messages.partition),
           9223372036854775807)`,
      ).run(cutoff).changes,
    );
  }

  ping(): void {
    this.#sql('SELECT 1').get();
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}
