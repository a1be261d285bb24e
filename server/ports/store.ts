/**
 * The system of record, modelled on Cassandra's query-first tables: every table has a partition key and
 * optional clustering columns, reads name a partition, and uniqueness is claimed with conditional
 * (lightweight-transaction) writes. Adapters: store-cassandra (real) and store-sqlite (embedded).
 */
export type ColumnType =
  | 'text'
  | 'uuid'
  | 'timestamp'
  | 'int'
  | 'bigint'
  | 'double'
  | 'boolean'
  | 'blob'
  | 'set<text>'
  | 'list<text>'
  | 'map<text,text>'
  /** Any JSON value, kept as text. */
  | 'json';

/**
 * TypeScript shapes of the column types: text/uuid → string, timestamp → Date, int/bigint/double → number
 * (bigint must stay within Number.MAX_SAFE_INTEGER), boolean → boolean, blob → Buffer,
 * set<text> → string[] (sorted, unique), list<text> → string[], map<text,text> → Record<string,string>,
 * json → unknown. A missing or null column reads back as null; empty collections read back empty.
 */
export type Value = string | number | boolean | Date | Buffer | string[] | Record<string, string> | unknown;
export type Row = Record<string, Value>;

export interface ClusteringColumn {
  readonly column: string;
  readonly order: 'asc' | 'desc';
}

export interface TableDef {
  /** Lower-case identifier, `[a-z][a-z0-9_]*`; so are column names. */
  readonly name: string;
  readonly columns: Readonly<Record<string, ColumnType>>;
  readonly partitionKey: readonly string[];
  readonly clusteringKey?: readonly ClusteringColumn[];
}

export interface Migration {
  /** Sortable and unique, e.g. `0001_accounts`. Applied once, in id order. */
  readonly id: string;
  readonly createTables?: readonly TableDef[];
  readonly addColumns?: readonly {
    readonly table: string;
    readonly columns: Readonly<Record<string, ColumnType>>;
  }[];
}

export interface WriteOptions {
  /** Seconds after which the written cells expire (Cassandra TTL semantics: per write). */
  readonly ttlSeconds?: number;
}

export interface InsertOptions extends WriteOptions {
  /** Lightweight transaction: write only when no row has this primary key. */
  readonly ifNotExists?: boolean;
}

export interface UpdateOptions extends WriteOptions {
  /** Lightweight transaction: apply only when the current row has these column values. */
  readonly if?: Row;
  /** Lightweight transaction: apply only when the row exists. */
  readonly ifExists?: boolean;
}

export interface DeleteOptions {
  readonly if?: Row;
  readonly ifExists?: boolean;
}

export interface ConditionalResult {
  readonly applied: boolean;
  /** For a refused conditional write: the row as it stands (when one exists). */
  readonly current?: Row | undefined;
}

export interface RangeCondition {
  /** A clustering column; it must follow the equality-restricted prefix of the clustering key. */
  readonly column: string;
  readonly gt?: Value;
  readonly gte?: Value;
  readonly lt?: Value;
  readonly lte?: Value;
}

export interface QueryOptions {
  /** Equality on the whole partition key, optionally on a prefix of the clustering key. */
  readonly where: Row;
  readonly range?: RangeCondition;
  /** Reverse the table's clustering order. */
  readonly reverse?: boolean;
  readonly limit?: number;
  /** Opaque token from a previous page. */
  readonly pageState?: string;
}

export interface ScanOptions {
  /** Rows of one page: 500 unless given, at most 5000. */
  readonly limit?: number;
  /** Opaque token from a previous page of the same table's scan. */
  readonly pageState?: string;
}

export interface Page {
  readonly rows: Row[];
  /** Present when more rows may follow. */
  readonly pageState?: string;
}

export type WriteOp =
  | { readonly kind: 'insert'; readonly table: string; readonly row: Row; readonly ttlSeconds?: number }
  | {
      readonly kind: 'update';
      readonly table: string;
      readonly key: Row;
      readonly set: Row;
      readonly ttlSeconds?: number;
    }
  | { readonly kind: 'delete'; readonly table: string; readonly key: Row };

export interface Store {
  readonly name: string;
  /** Applies what has not been applied yet, idempotently, and learns every table's shape. */
  migrate(migrations: readonly Migration[]): Promise<void>;
  insert(table: string, row: Row, options?: InsertOptions): Promise<ConditionalResult>;
  /** Upsert semantics unless a condition is given (as in CQL). `key` is the full primary key. */
  update(table: string, key: Row, set: Row, options?: UpdateOptions): Promise<ConditionalResult>;
  /** `key` is the full primary key, or the partition key alone to delete a whole partition. */
  delete(table: string, key: Row, options?: DeleteOptions): Promise<ConditionalResult>;
  get(table: string, key: Row): Promise<Row | undefined>;
  /**
   * Rows by full primary key, as `get` would read each: the answer has one entry per key, in the order of
   * `keys` (undefined where no live row has it). Every key is checked before anything is read; the
   * adapter reads them together (one statement per partition, or concurrent prepared reads).
   */
  getMany(table: string, keys: readonly Row[]): Promise<(Row | undefined)[]>;
  query(table: string, options: QueryOptions): Promise<Page>;
  /**
   * Every live row of a table, a page at a time, in no promised order (Cassandra: token order), for
   * backfills and rebuilds, never for serving requests. `pageState` resumes where the previous page ended.
   */
  scan(table: string, options?: ScanOptions): Promise<Page>;
  /** Atomic (logged) batch of unconditional writes: all or none become visible. */
  batch(ops: readonly WriteOp[]): Promise<void>;
  /** Throws when the store cannot serve requests. */
  health(): Promise<void>;
  close(): Promise<void>;
}

/** Reads a text/uuid column of a row as a string ('' when null). */
export const textOf = (v: Value): string => (typeof v === 'string' ? v : '');
/** Reads a timestamp column of a row as a Date (the epoch when null). */
export const dateOf = (v: Value): Date => (v instanceof Date ? v : new Date(0));

/** Every page of a table's scan, one after the other (backfills). */
export async function* scanPages(store: Store, table: string, limit = 1000): AsyncGenerator<Row[]> {
  let pageState: string | undefined;
  do {
    const page = await store.scan(table, { limit, ...(pageState ? { pageState } : {}) });
    if (page.rows.length) yield page.rows;
    pageState = page.pageState;
  } while (pageState);
}
