/**
 * The embedded Store: one SQLite file (`<dataDir>/store.db`) through node:sqlite. Reads run on the event
 * loop's own connection (WAL: they never wait for a writer). Writes are compiled here into units of SQL
 * and run by a writer thread (writer.ts) on a second connection, units queued together sharing one
 * transaction, each in its own savepoint; a write's promise resolves only after its transaction committed
 * (WAL, synchronous=FULL), so an acknowledged write survives a crash, and no fsync ever runs on the event
 * loop. Conditional writes are atomic because the check and the write share that savepoint.
 *
 * TTL is kept per row, not per cell as in Cassandra: `_expires_at` holds the moment the last live cell
 * would expire. An insert that names every column sets it outright; any other write keeps the later of
 * the old and the new expiry (a write without TTL makes the row permanent). Cells of a row that outlive
 * their own TTL are therefore not nulled individually; the row disappears as a whole once nothing in it
 * would still be live. Expired rows are invisible to reads and conditions, removed when their key is
 * written again, and purged periodically.
 */
import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync, type SQLInputValue, type SQLOutputValue, type StatementSync } from 'node:sqlite';
import { AppError } from '../../lib/errors.ts';
import type { Logger } from '../../lib/log.ts';
import type {
  ConditionalResult,
  DeleteOptions,
  InsertOptions,
  Migration,
  Page,
  QueryOptions,
  Row,
  ScanOptions,
  Store,
  UpdateOptions,
  WriteOp,
} from '../../ports/store.ts';
import {
  TableRegistry,
  checkTtl,
  conditionCells,
  keyCells,
  misuse,
  orderMigrations,
  planQuery,
  primaryKeyOf,
  rowCells,
  setCells,
  tableShape,
  type Cell,
  type TableShape,
} from '../store-shared/tables.ts';
import { scanPageSize } from '../store-shared/scan.ts';
import { afterParams, afterSql, keysetPage, orderSql, scanPage, type ReadRows } from './keyset.ts';
import { wrap } from './errors.ts';
import { decodePageState, encodePageState, queryFingerprint } from './page-state.ts';
import { LIVE, TablePlan } from './plan.ts';
import { EXPIRES, addColumnSql, createTableSql, quote } from './sql.ts';
import { checkStep, encodeAll, encodeCell, refusalSteps, removeStep, upsertSteps } from './steps.ts';
import { WriterClient, type Step, type UnitResult } from './write-unit.ts';

export interface SqliteStoreOptions {
  readonly dataDir: string;
  readonly logger: Logger;
  /** How often expired rows are deleted for good; reads hide them in between. */
  readonly purgeIntervalMs?: number;
  /** How long a write waits for another connection's lock on the same file. */
  readonly busyTimeoutMs?: number;
  /**
   * A reader beside the store that writes (another thread's): no writer thread, no purge, and `migrate`
   * only learns the tables, refusing any migration the writing store has not applied yet.
   */
  readonly readOnly?: boolean;
}

export class SqliteStore implements Store {
  readonly name = 'sqlite';
  readonly #logger: Logger;
  readonly #statements = new Map<string, StatementSync>();
  /** Per table shape; a migration brings new shapes, so plans of replaced shapes are simply collected. */
  readonly #plans = new WeakMap<TableShape, TablePlan>();
  readonly #secret: KeyObject;
  readonly #purgeTimer: NodeJS.Timeout | undefined;
  readonly #writer: WriterClient | undefined;
  #db: DatabaseSync | undefined;
  #registry = TableRegistry.learn([]);

  constructor(options: SqliteStoreOptions) {
    this.#logger = options.logger;
    mkdirSync(options.dataDir, { recursive: true });
    const file = path.join(options.dataDir, 'store.db');
    const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    const db = new DatabaseSync(file, { timeout: busyTimeoutMs });
    try {
      if (options.readOnly) {
        db.exec('PRAGMA query_only = 1;');
      } else {
        db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;');
        db.exec(
          'CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)',
        );
        db.exec('CREATE TABLE IF NOT EXISTS _store_meta (key TEXT PRIMARY KEY, value BLOB NOT NULL)');
        db.prepare(`INSERT OR IGNORE INTO _store_meta (key, value) VALUES ('page_secret', ?)`).run(
          randomBytes(32),
        );
      }
      // Shared by every connection to the file, so a page state from one reads on another.
      const secret = db.prepare(`SELECT value FROM _store_meta WHERE key = 'page_secret'`).get()?.value;
      this.#secret = createSecretKey(Buffer.from(secret as Uint8Array));
    } catch (error) {
      db.close();
      throw wrap(error);
    }
    this.#db = db;
    this.#writer = options.readOnly ? undefined : new WriterClient({ file, busyTimeoutMs });
    this.#purgeTimer = options.readOnly
      ? undefined
      : setInterval(() => this.#purgeExpired(), options.purgeIntervalMs ?? 60_000).unref();
  }

  async migrate(migrations: readonly Migration[]): Promise<void> {
    const registry = TableRegistry.learn(migrations);
    if (!this.#writer) {
      const applied = this.#statement('SELECT 1 FROM schema_migrations WHERE id = ?');
      const missing = migrations.filter((m) => !this.#use(() => applied.get(m.id)));
      if (missing.length) {
        throw misuse('STORE.NOT_MIGRATED', `Not migrated yet: ${missing.map((m) => m.id).join(', ')}`);
      }
      this.#registry = registry;
      return;
    }
    for (const migration of orderMigrations(migrations)) {
      const applied = this.#transaction((now, db) => {
        if (this.#statement('SELECT 1 FROM schema_migrations WHERE id = ?').get(migration.id)) return false;
        for (const def of migration.createTables ?? []) {
          for (const sql of createTableSql(tableShape(def))) db.exec(sql);
        }
        for (const add of migration.addColumns ?? []) {
          for (const [column, type] of Object.entries(add.columns)) {
            try {
              db.exec(addColumnSql(add.table, column, type));
            } catch (error) {
              if (!/duplicate column/i.test(String((error as Error).message))) throw error;
            }
          }
        }
        this.#statement('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)').run(
          migration.id,
          now,
        );
        return true;
      });
      if (applied) this.#logger.info({ migration: migration.id }, 'store migration applied');
    }
    this.#registry = registry;
  }

  async insert(table: string, row: Row, options: InsertOptions = {}): Promise<ConditionalResult> {
    const shape = this.#registry.table(table);
    const cells = rowCells(shape, row);
    const key = primaryKeyOf(shape, cells);
    const expiresIn = checkTtl(options.ttlSeconds);
    const now = Date.now();
    const plan = this.#plan(shape);
    const check = options.ifNotExists ? [checkStep(plan, key, now, { ifNotExists: true })] : [];
    const write = upsertSteps(plan, cells, expiry(now, expiresIn), cells.length === shape.columns.size, now);
    return this.#write(shape, [...check, ...write]);
  }

  async update(table: string, key: Row, set: Row, options: UpdateOptions = {}): Promise<ConditionalResult> {
    const shape = this.#registry.table(table);
    const keyed = keyCells(shape, key, false);
    const cells = [...keyed, ...setCells(shape, set)];
    const conditions = options.if ? conditionCells(shape, options.if) : undefined;
    const expiresIn = checkTtl(options.ttlSeconds);
    const now = Date.now();
    const plan = this.#plan(shape);
    return this.#write(shape, [
      ...refusalSteps(plan, keyed, conditions, options.ifExists === true, now),
      ...upsertSteps(plan, cells, expiry(now, expiresIn), false, now),
    ]);
  }

  async delete(table: string, key: Row, options: DeleteOptions = {}): Promise<ConditionalResult> {
    const shape = this.#registry.table(table);
    const keyed = keyCells(shape, key, true);
    const conditional = options.if !== undefined || options.ifExists === true;
    if (conditional && keyed.length !== shape.primaryKey.length) {
      throw misuse('STORE.BAD_KEY', `A conditional delete on ${table} needs the full primary key`);
    }
    const conditions = options.if ? conditionCells(shape, options.if) : undefined;
    const plan = this.#plan(shape);
    return this.#write(shape, [
      ...refusalSteps(plan, keyed, conditions, options.ifExists === true, Date.now()),
      removeStep(plan, keyed),
    ]);
  }

  async get(table: string, key: Row): Promise<Row | undefined> {
    const shape = this.#registry.table(table);
    const keyed = keyCells(shape, key, false);
    return this.#use(() => this.#read(shape, keyed, Date.now()));
  }

  async getMany(table: string, keys: readonly Row[]): Promise<(Row | undefined)[]> {
    const shape = this.#registry.table(table);
    const encoded = keys.map((key) => encodeAll(shape, keyCells(shape, key, false)));
    return this.#use(() => this.#plan(shape).readMany((sql) => this.#statement(sql), encoded, Date.now()));
  }

  async query(table: string, options: QueryOptions): Promise<Page> {
    const shape = this.#registry.table(table);
    const plan = planQuery(shape, options);
    const where = plan.equal.map(([c]) => `${quote(c)} = ?`);
    const params = encodeAll(shape, plan.equal);
    for (const bound of plan.range?.bounds ?? []) {
      where.push(`${quote(plan.range?.column ?? '')} ${bound.op} ?`);
      params.push(encodeCell(shape, [plan.range?.column ?? '', bound.value]));
    }
    const fingerprint = queryFingerprint(
      [table, plan.range?.column ?? null, plan.range?.bounds.map((b) => b.op) ?? [], plan.rest],
      params,
    );
    if (options.pageState !== undefined) {
      const position = decodePageState(this.#secret, fingerprint, options.pageState, plan.rest.length);
      where.push(afterSql(plan.rest));
      params.push(...afterParams(position));
    }
    where.push(LIVE);
    const tablePlan = this.#plan(shape);
    const sql =
      `SELECT ${tablePlan.select} FROM ${tablePlan.table} WHERE ${where.join(' AND ')}` +
      `${plan.rest.length ? ` ORDER BY ${orderSql(plan.rest)}` : ''} LIMIT ?`;
    return this.#use(() => {
      const raw = this.#rows(sql, [...params, Date.now(), plan.pageSize + 1]);
      return keysetPage(tablePlan, raw, plan.pageSize, plan.rest, (position) =>
        encodePageState(this.#secret, fingerprint, position),
      );
    });
  }

  /** In primary-key order, keyset-paged (keyset.ts). */
  async scan(table: string, options: ScanOptions = {}): Promise<Page> {
    const shape = this.#registry.table(table);
    const page = { pageSize: scanPageSize(shape, options.limit), pageState: options.pageState };
    const read: ReadRows = (sql, params) => this.#rows(sql, params);
    return this.#use(() => scanPage(this.#plan(shape), this.#secret, read, page, Date.now()));
  }

  async batch(ops: readonly WriteOp[]): Promise<void> {
    const now = Date.now();
    const steps = ops.flatMap((op): Step[] => {
      const shape = this.#registry.table(op.table);
      const plan = this.#plan(shape);
      if (op.kind === 'delete') return [removeStep(plan, keyCells(shape, op.key, true))];
      const cells =
        op.kind === 'insert'
          ? rowCells(shape, op.row)
          : [...keyCells(shape, op.key, false), ...setCells(shape, op.set)];
      const replaces = op.kind === 'insert' && cells.length === shape.columns.size;
      return upsertSteps(plan, cells, expiry(now, checkTtl(op.ttlSeconds)), replaces, now);
    });
    if (steps.length) await this.#run(steps);
  }

  async health(): Promise<void> {
    this.#use(() => this.#statement('SELECT 1').get());
  }

  async close(): Promise<void> {
    clearInterval(this.#purgeTimer);
    await this.#writer?.close();
    this.#statements.clear();
    this.#db?.close();
    this.#db = undefined;
  }

  #use<T>(fn: (db: DatabaseSync) => T): T {
    const db = this.#db;
    if (!db)
      throw new AppError('STORE.CLOSED', 'The store is closed', { kind: 'UNAVAILABLE', retriable: false });
    try {
      return fn(db);
    } catch (error) {
      throw wrap(error);
    }
  }

  /** Migrations only (at boot, on the event loop's connection): synchronous from BEGIN to COMMIT. */
  #transaction<T>(fn: (now: number, db: DatabaseSync) => T): T {
    return this.#use((db) => {
      db.exec('BEGIN IMMEDIATE');
      try {
        const result = fn(Date.now(), db);
        db.exec('COMMIT');
        return result;
      } catch (error) {
        if (db.isTransaction) db.exec('ROLLBACK');
        throw error;
      }
    });
  }

  /** Prepared once per SQL text; rows come back as arrays in select-list order. */
  #statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#use((db) => db.prepare(sql));
      statement.setReturnArrays(true);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #rows(sql: string, params: readonly SQLInputValue[]): SQLOutputValue[][] {
    return this.#statement(sql).all(...params) as unknown as SQLOutputValue[][];
  }

  #plan(shape: TableShape): TablePlan {
    let plan = this.#plans.get(shape);
    if (!plan) {
      plan = new TablePlan(shape);
      this.#plans.set(shape, plan);
    }
    return plan;
  }

  /** `key` is the full primary key in key order (as keyCells and primaryKeyOf return it). */
  #read(shape: TableShape, key: readonly Cell[], now: number): Row | undefined {
    const plan = this.#plan(shape);
    const params = encodeAll(shape, key);
    return plan.read((sql) => this.#statement(sql), params, now);
  }

  /** Sends a unit to the writer; a refused condition answers with the row as it stands, decoded. */
  async #write(shape: TableShape, steps: readonly Step[]): Promise<ConditionalResult> {
    const result = await this.#run(steps);
    if (result.applied) return { applied: true };
    return result.current
      ? { applied: false, current: this.#plan(shape).decodeRow(result.current) }
      : { applied: false };
  }

  async #run(steps: readonly Step[]): Promise<UnitResult> {
    this.#use(() => undefined);
    const writer = this.#writer;
    if (!writer) throw misuse('STORE.READ_ONLY', 'This store only reads');
    try {
      return await writer.run({ steps });
    } catch (error) {
      throw wrap(error);
    }
  }

  #purgeExpired(): void {
    if (!this.#db) return;
    const now = Date.now();
    for (const shape of this.#registry.tables()) {
      const sql = `DELETE FROM ${quote(shape.name)} WHERE ${quote(EXPIRES)} <= ?`;
      this.#run([{ sql, params: [now] }]).catch((error: unknown) =>
        this.#logger.warn({ err: error, table: shape.name }, 'store purge of expired rows failed'),
      );
    }
  }
}

const expiry = (now: number, ttlSeconds: number | undefined): number | null =>
  ttlSeconds === undefined ? null : now + ttlSeconds * 1000;
