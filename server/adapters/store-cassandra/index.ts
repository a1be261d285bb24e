/**
 * The Store on Apache Cassandra through cassandra-driver 4.x. Reads and writes run at LOCAL_QUORUM,
 * conditional writes are lightweight transactions at LOCAL_SERIAL, and every statement is prepared.
 * Idempotent statements are retried on transient failures; conditional ones only when the coordinator
 * refused them before doing anything.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import cassandra from 'cassandra-driver';
import { AppError, unavailable } from '../../lib/errors.ts';
import type { Logger } from '../../lib/log.ts';
import { retry } from '../../lib/retry.ts';
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
  planQuery,
  rowCells,
  setCells,
  type Cell,
  type TableShape,
} from '../store-shared/tables.ts';
import { scanPageSize } from '../store-shared/scan.ts';
import { decodeRow, encode } from './codec.ts';
import {
  createKeyspaceCql,
  deleteCql,
  getCql,
  getSlotsCql,
  insertCql,
  queryCql,
  scanCql,
  updateCql,
  type Condition,
} from './cql.ts';
import { isTransient, toAppError } from './errors.ts';
import { bookkeepingCql, runMigrations } from './migrations.ts';
import { readPage, type Execute } from './paging.ts';

const { localQuorum, localSerial, localOne } = cassandra.types.consistencies;
const KEYSPACE = /^[a-z][a-z0-9_]{0,47}$/;
/** Reads of one getMany in flight at once: enough to fill a page of keys, few enough not to flood a node. */
const CONCURRENT_READS = 64;

/** The driver documents `null` as "no client-side timestamps"; its type definitions leave null out. */
const SERVER_SIDE_TIMESTAMPS = null as unknown as cassandra.policies.timestampGeneration.TimestampGenerator;

export interface CassandraStoreOptions {
  readonly contactPoints: readonly string[];
  readonly keyspace: string;
  readonly localDataCenter: string;
  readonly replicationFactor: number;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly logger: Logger;
  /** How long migrate() waits for another node's migrations. */
  readonly migrationLockWaitMs?: number;
}

interface Statement {
  readonly query: string;
  readonly params: unknown[];
}

/** Connects, creates the keyspace when missing, and prepares the migration bookkeeping tables. */
export const createCassandraStore = (options: CassandraStoreOptions): Promise<CassandraStore> =>
  CassandraStore.connect(options);

export class CassandraStore implements Store {
  readonly name = 'cassandra';
  readonly #client: cassandra.Client;
  readonly #keyspace: string;
  readonly #logger: Logger;
  readonly #lockWaitMs: number;
  #registry = TableRegistry.learn([]);
  #closed = false;
  /** #execute as a function, for the migrations and paged reads. */
  readonly #executor: Execute = (cql, params, options, idempotent) =>
    this.#execute(cql, params, options, idempotent);

  private constructor(client: cassandra.Client, options: CassandraStoreOptions) {
    this.#client = client;
    this.#keyspace = options.keyspace;
    this.#logger = options.logger;
    this.#lockWaitMs = options.migrationLockWaitMs ?? 300_000;
  }

  static async connect(options: CassandraStoreOptions): Promise<CassandraStore> {
    if (!KEYSPACE.test(options.keyspace))
      throw misuse('STORE.BAD_SCHEMA', `Invalid keyspace ${options.keyspace}`);
    const client = new cassandra.Client({
      contactPoints: [...options.contactPoints],
      localDataCenter: options.localDataCenter,
      ...(options.username
        ? { credentials: { username: options.username, password: options.password ?? '' } }
        : {}),
      protocolOptions: { maxSchemaAgreementWaitSeconds: 30 },
      socketOptions: { connectTimeout: 5000 },
      queryOptions: { prepare: true, consistency: localQuorum, serialConsistency: localSerial },
      // Plain writes take the coordinator's timestamp, as lightweight transactions do: with client-side
      // timestamps a plain write in the same millisecond as an LWT on the same row could lose to it.
      policies: { timestampGeneration: SERVER_SIDE_TIMESTAMPS },
    });
    const store = new CassandraStore(client, options);
    try {
      await client.connect();
      // The keyspace is named in every statement, so the client never needs a session keyspace.
      const ddl = { prepare: false, readTimeout: 120_000 };
      const keyspace = createKeyspaceCql(
        options.keyspace,
        options.localDataCenter,
        options.replicationFactor,
      );
      await store.#execute(keyspace, [], ddl, true);
      for (const cql of bookkeepingCql(options.keyspace)) await store.#execute(cql, [], ddl, true);
      await store.#waitForSchemaAgreement();
    } catch (error) {
      await client.shutdown().catch(() => undefined);
      throw error instanceof AppError && error.kind !== 'INTERNAL'
        ? error
        : unavailable('STORE.UNAVAILABLE', 'Cannot connect to the store', error);
    }
    return store;
  }

  async migrate(migrations: readonly Migration[]): Promise<void> {
    const registry = TableRegistry.learn(migrations);
    await runMigrations(
      {
        keyspace: this.#keyspace,
        logger: this.#logger,
        lockWaitMs: this.#lockWaitMs,
        execute: this.#executor,
        waitForSchemaAgreement: () => this.#waitForSchemaAgreement(),
      },
      migrations,
    );
    this.#registry = registry;
  }

  async insert(table: string, row: Row, options: InsertOptions = {}): Promise<ConditionalResult> {
    const shape = this.#registry.table(table);
    const statement = this.#insert(shape, rowCells(shape, row), options.ttlSeconds, {
      ifNotExists: options.ifNotExists,
    });
    if (!options.ifNotExists) return this.#write(statement);
    const result = await this.#conditional(statement);
    const first = result.rows[0];
    if (!first || first.get('[applied]') === true) return { applied: true };
    return { applied: false, current: decodeRow(shape, first) };
  }

  async update(table: string, key: Row, set: Row, options: UpdateOptions = {}): Promise<ConditionalResult> {
    const shape = this.#registry.table(table);
    const keyed = keyCells(shape, key, false);
    const condition: Condition = {
      if: options.if ? conditionCells(shape, options.if) : undefined,
      ifExists: options.ifExists === true,
    };
    const cells = setCells(shape, set);
    const ttl = checkTtl(options.ttlSeconds);
    const statement = {
      query: updateCql(this.#keyspace, shape, keyed, cells, condition, ttl !== undefined),
      params: [
        ...(ttl === undefined ? [] : [ttl]),
        ...this.#values(shape, [...cells, ...keyed, ...(condition.if ?? [])]),
      ],
    };
    return this.#maybeConditional(shape, keyed, condition, statement);
  }

  async delete(table: string, key: Row, options: DeleteOptions = {}): Promise<ConditionalResult> {
    const shape = this.#registry.table(table);
    const keyed = keyCells(shape, key, true);
    const condition: Condition = {
      if: options.if ? conditionCells(shape, options.if) : undefined,
      ifExists: options.ifExists === true,
    };
    if ((condition.if || condition.ifExists) && keyed.length !== shape.primaryKey.length) {
      throw misuse('STORE.BAD_KEY', `A conditional delete on ${table} needs the full primary key`);
    }
    const statement = {
      query: deleteCql(this.#keyspace, shape, keyed, condition),
      params: this.#values(shape, [...keyed, ...(condition.if ?? [])]),
    };
    return this.#maybeConditional(shape, keyed, condition, statement);
  }

  async get(table: string, key: Row): Promise<Row | undefined> {
    const shape = this.#registry.table(table);
    const keyed = keyCells(shape, key, false);
    return this.#read(shape, keyed, localQuorum);
  }

  /**
   * Keys of one partition are read by one statement (`(c1, c2) IN ((?, ?), …)`, up to CONCURRENT_READS keys
   * each: a replica answers them from one partition read); partitions are read concurrently.
   */
  async getMany(table: string, keys: readonly Row[]): Promise<(Row | undefined)[]> {
    const shape = this.#registry.table(table);
    const keyed = keys.map((key) => keyCells(shape, key, false));
    if (shape.clusteringKey.length === 0 || keyed.length < 2) {
      return Promise.all(keyed.map((key) => this.#read(shape, key, localQuorum)));
    }
    const parts = shape.partitionKey.length;
    const groups = new Map<string, (readonly Cell[])[]>();
    for (const key of keyed) {
      const partition = keyText(key.slice(0, parts));
      const group = groups.get(partition);
      if (group) group.push(key);
      else groups.set(partition, [key]);
    }
    const found = new Map<string, Row>();
    const reads: Promise<void>[] = [];
    for (const group of groups.values()) {
      for (let i = 0; i < group.length; i += CONCURRENT_READS) {
        const chunk = group.slice(i, i + CONCURRENT_READS);
        reads.push(
          this.#readSlots(shape, chunk).then((rows) => {
            for (const row of rows) found.set(keyText(shape.primaryKey.map((c) => [c, row[c]] as Cell)), row);
          }),
        );
      }
    }
    await Promise.all(reads);
    return keyed.map((key) => found.get(keyText(key)));
  }

  async query(table: string, options: QueryOptions): Promise<Page> {
    const shape = this.#registry.table(table);
    const plan = planQuery(shape, options);
    const bounds = (plan.range?.bounds ?? []).map((b): Cell => [plan.range?.column ?? '', b.value]);
    const params = this.#values(shape, [...plan.equal, ...bounds]);
    const query = queryCql(this.#keyspace, shape, plan, options.reverse === true);
    return readPage(this.#executor, shape, { query, params }, plan.pageSize, options.pageState);
  }

  /** `SELECT` without `WHERE`: the coordinator walks the token ranges, a page at a time. */
  async scan(table: string, options: ScanOptions = {}): Promise<Page> {
    const shape = this.#registry.table(table);
    const pageSize = scanPageSize(shape, options.limit);
    const statement = { query: scanCql(this.#keyspace, shape), params: [] };
    return readPage(this.#executor, shape, statement, pageSize, options.pageState);
  }

  async batch(ops: readonly WriteOp[]): Promise<void> {
    // Every op is checked before anything is sent, so a bad op cannot leave a partial batch behind.
    const statements = ops.map((op): Statement => {
      const shape = this.#registry.table(op.table);
      if (op.kind === 'insert') return this.#insert(shape, rowCells(shape, op.row), op.ttlSeconds, {});
      const keyed = keyCells(shape, op.key, op.kind === 'delete');
      if (op.kind === 'delete') {
        return { query: deleteCql(this.#keyspace, shape, keyed, {}), params: this.#values(shape, keyed) };
      }
      const cells = setCells(shape, op.set);
      const ttl = checkTtl(op.ttlSeconds);
      return {
        query: updateCql(this.#keyspace, shape, keyed, cells, {}, ttl !== undefined),
        params: [...(ttl === undefined ? [] : [ttl]), ...this.#values(shape, [...cells, ...keyed])],
      };
    });
    if (statements.length === 0) return;
    this.#checkOpen();
    const options = { prepare: true, logged: true, consistency: localQuorum, isIdempotent: true };
    try {
      await retry(() => this.#client.batch(statements, options), this.#retryOptions(true));
    } catch (error) {
      throw toAppError(error, true);
    }
  }

  async health(): Promise<void> {
    await this.#execute(
      'SELECT release_version FROM system.local',
      [],
      { prepare: true, consistency: localOne },
      true,
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#client.shutdown();
  }

  #checkOpen(): void {
    if (this.#closed) {
      throw new AppError('STORE.CLOSED', 'The store is closed', { kind: 'UNAVAILABLE', retriable: false });
    }
  }

  #retryOptions(idempotent: boolean) {
    return {
      attempts: 3,
      baseDelayMs: 100,
      maxDelayMs: 1000,
      isRetriable: (error: unknown) => isTransient(error, idempotent),
      onRetry: (error: unknown, attempt: number) =>
        this.#logger.warn({ err: error, attempt }, 'store call retried'),
    };
  }

  async #execute(
    query: string,
    params: unknown[],
    options: cassandra.QueryOptions,
    idempotent: boolean,
  ): Promise<cassandra.types.ResultSet> {
    this.#checkOpen();
    try {
      return await retry(
        () => this.#client.execute(query, params, { ...options, isIdempotent: idempotent }),
        this.#retryOptions(idempotent),
      );
    } catch (error) {
      throw toAppError(error, idempotent);
    }
  }

  async #write(statement: Statement): Promise<ConditionalResult> {
    await this.#execute(statement.query, statement.params, { prepare: true, consistency: localQuorum }, true);
    return { applied: true };
  }

  #conditional(statement: Statement): Promise<cassandra.types.ResultSet> {
    const options = { prepare: true, consistency: localQuorum, serialConsistency: localSerial };
    return this.#execute(statement.query, statement.params, options, false);
  }

  /**
   * A refused `IF col = ?` returns only the tested columns, so the whole row is read back at LOCAL_SERIAL,
   * which sees the outcome of every lightweight transaction decided so far.
   */
  async #maybeConditional(
    shape: TableShape,
    key: readonly Cell[],
    condition: Condition,
    statement: Statement,
  ): Promise<ConditionalResult> {
    if (!condition.if && !condition.ifExists) return this.#write(statement);
    const result = await this.#conditional(statement);
    if (result.rows[0]?.get('[applied]') !== false) return { applied: true };
    if (!condition.if) return { applied: false };
    const current = await this.#read(shape, key, localSerial);
    return current ? { applied: false, current } : { applied: false };
  }

  #insert(
    shape: TableShape,
    cells: readonly Cell[],
    ttlSeconds: number | undefined,
    condition: Condition,
  ): Statement {
    const ttl = checkTtl(ttlSeconds);
    return {
      query: insertCql(this.#keyspace, shape, cells, condition, ttl !== undefined),
      params: [...this.#values(shape, cells), ...(ttl === undefined ? [] : [ttl])],
    };
  }

  async #read(shape: TableShape, key: readonly Cell[], consistency: number): Promise<Row | undefined> {
    const result = await this.#execute(
      getCql(this.#keyspace, shape, key),
      this.#values(shape, key),
      { prepare: true, consistency },
      true,
    );
    const first = result.rows[0];
    return first ? decodeRow(shape, first) : undefined;
  }

  /** Rows of one partition by their clustering values (`chunk`: full keys of that partition). */
  async #readSlots(shape: TableShape, chunk: readonly (readonly Cell[])[]): Promise<Row[]> {
    const parts = shape.partitionKey.length;
    const first = chunk[0] ?? [];
    const params = this.#values(shape, [
      ...first.slice(0, parts),
      ...chunk.flatMap((key) => key.slice(parts)),
    ]);
    const result = await this.#execute(
      getSlotsCql(this.#keyspace, shape, first.slice(0, parts), chunk.length),
      params,
      { prepare: true, consistency: localQuorum },
      true,
    );
    return result.rows.map((row) => decodeRow(shape, row));
  }

  #values(shape: TableShape, cells: readonly Cell[]): unknown[] {
    return cells.map(([column, value]) => {
      const type = shape.columns.get(column);
      if (!type) throw misuse('STORE.UNKNOWN_COLUMN', `Unknown column ${shape.name}.${column}`);
      return encode(type, value);
    });
  }

  async #waitForSchemaAgreement(): Promise<void> {
    const metadata = this.#client.metadata as unknown as { checkSchemaAgreement(): Promise<boolean> };
    const deadline = Date.now() + 60_000;
    while (!(await metadata.checkSchemaAgreement())) {
      if (Date.now() > deadline) throw unavailable('STORE.UNAVAILABLE', 'Schema agreement was not reached');
      await sleep(250);
    }
  }
}

/** Key values as one text (dates by their milliseconds), to match rows read back with the keys asked. */
function keyText(cells: readonly Cell[]): string {
  return JSON.stringify(cells.map(([, v]) => (v instanceof Date ? v.getTime() : v)));
}
