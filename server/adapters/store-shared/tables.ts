/**
 * What both Store adapters must agree on before touching their backend: the table shapes learnt from the
 * migrations, and the checks that turn a caller's misuse (unknown table or column, partial key, query
 * the data model cannot serve) into an INTERNAL AppError instead of a backend-specific failure.
 */
import { AppError } from '../../lib/errors.ts';
import type {
  ClusteringColumn,
  ColumnType,
  Migration,
  QueryOptions,
  Row,
  TableDef,
  Value,
} from '../../ports/store.ts';
import { normalizeValue } from './values.ts';

export const misuse = (code: string, message: string): AppError =>
  new AppError(code, message, { kind: 'INTERNAL' });

const IDENTIFIER = /^[a-z][a-z0-9_]*$/;
/** Bookkeeping tables the adapters create themselves. */
export const RESERVED_TABLES: ReadonlySet<string> = new Set(['schema_migrations', 'migration_lock']);
const KEY_TYPES: ReadonlySet<ColumnType> = new Set([
  'text',
  'uuid',
  'timestamp',
  'int',
  'bigint',
  'double',
  'boolean',
  'blob',
]);
/** A page when the caller gives no limit; the Cassandra driver's default fetch size. */
export const DEFAULT_PAGE_SIZE = 5000;

export interface TableShape {
  readonly name: string;
  readonly columns: Map<string, ColumnType>;
  readonly partitionKey: readonly string[];
  readonly clusteringKey: readonly ClusteringColumn[];
  readonly primaryKey: readonly string[];
}

function checkIdentifier(kind: string, name: string): void {
  if (!IDENTIFIER.test(name)) throw misuse('STORE.BAD_SCHEMA', `Invalid ${kind} name "${name}"`);
}

/** The shape a TableDef describes, after checking its names and key. */
export function tableShape(def: TableDef): TableShape {
  checkIdentifier('table', def.name);
  if (RESERVED_TABLES.has(def.name)) throw misuse('STORE.BAD_SCHEMA', `Table name "${def.name}" is reserved`);
  const columns = new Map<string, ColumnType>();
  for (const [column, type] of Object.entries(def.columns)) {
    checkIdentifier('column', column);
    columns.set(column, type);
  }
  const clusteringKey = def.clusteringKey ?? [];
  const primaryKey = [...def.partitionKey, ...clusteringKey.map((c) => c.column)];
  if (def.partitionKey.length === 0)
    throw misuse('STORE.BAD_SCHEMA', `Table ${def.name} has no partition key`);
  if (new Set(primaryKey).size !== primaryKey.length) {
    throw misuse('STORE.BAD_SCHEMA', `Table ${def.name} repeats a key column`);
  }
  for (const column of primaryKey) {
    const type = columns.get(column);
    if (!type || !KEY_TYPES.has(type)) {
      throw misuse('STORE.BAD_SCHEMA', `Key column ${def.name}.${column} is missing or not of a key type`);
    }
  }
  return { name: def.name, columns, partitionKey: [...def.partitionKey], clusteringKey, primaryKey };
}

/** The migrations in application order, after checking their ids. */
export function orderMigrations(migrations: readonly Migration[]): Migration[] {
  const ordered = [...migrations].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (let i = 0; i < ordered.length; i++) {
    const id = ordered[i]?.id ?? '';
    if (id.trim() === '' || id.length > 200) throw misuse('STORE.BAD_SCHEMA', `Invalid migration id "${id}"`);
    if (i > 0 && ordered[i - 1]?.id === id) throw misuse('STORE.BAD_SCHEMA', `Duplicate migration id ${id}`);
  }
  return ordered;
}

/** Every table's shape, folded from the whole migration history. */
export class TableRegistry {
  readonly #tables = new Map<string, TableShape>();

  static learn(migrations: readonly Migration[]): TableRegistry {
    const registry = new TableRegistry();
    for (const migration of orderMigrations(migrations)) registry.#apply(migration);
    return registry;
  }

  #apply(migration: Migration): void {
    for (const def of migration.createTables ?? []) {
      if (this.#tables.has(def.name)) {
        throw misuse('STORE.BAD_SCHEMA', `Migration ${migration.id} creates existing table ${def.name}`);
      }
      this.#tables.set(def.name, tableShape(def));
    }
    for (const add of migration.addColumns ?? []) {
      const shape = this.#tables.get(add.table);
      if (!shape)
        throw misuse('STORE.BAD_SCHEMA', `Migration ${migration.id} alters unknown table ${add.table}`);
      for (const [column, type] of Object.entries(add.columns)) {
        checkIdentifier('column', column);
        if (shape.columns.has(column)) {
          throw misuse('STORE.BAD_SCHEMA', `Migration ${migration.id} re-adds ${add.table}.${column}`);
        }
        shape.columns.set(column, type);
      }
    }
  }

  table(name: string): TableShape {
    const shape = this.#tables.get(name);
    if (!shape) throw misuse('STORE.UNKNOWN_TABLE', `Unknown table ${name} (was migrate() called?)`);
    return shape;
  }

  tables(): TableShape[] {
    return [...this.#tables.values()];
  }
}

/** A column/value pair, normalized to the port's shapes (set sorted, uuid lower-case, ...). */
export type Cell = readonly [column: string, value: Value];

function cellsOf(shape: TableShape, row: Row): Cell[] {
  const cells: Cell[] = [];
  for (const [column, value] of Object.entries(row)) {
    if (value === undefined) continue;
    const type = shape.columns.get(column);
    if (!type) throw misuse('STORE.UNKNOWN_COLUMN', `Unknown column ${shape.name}.${column}`);
    cells.push([column, normalizeValue(type, value, `${shape.name}.${column}`)]);
  }
  return cells;
}

function requireKey(shape: TableShape, cells: readonly Cell[], columns: readonly string[]): void {
  for (const column of columns) {
    const cell = cells.find(([c]) => c === column);
    if (!cell || cell[1] === null)
      throw misuse('STORE.BAD_KEY', `Missing key column ${shape.name}.${column}`);
  }
}

/** A full row to insert: every primary-key column present and not null. */
export function rowCells(shape: TableShape, row: Row): Cell[] {
  const cells = cellsOf(shape, row);
  requireKey(shape, cells, shape.primaryKey);
  return cells;
}

/** The primary-key cells of a checked row, in key order. */
export const primaryKeyOf = (shape: TableShape, cells: readonly Cell[]): Cell[] =>
  shape.primaryKey.map((column) => cells.find(([c]) => c === column) as Cell);

const MAX_TTL_SECONDS = 630_720_000;

/** Cassandra's TTL rules: whole seconds, at most 20 years; 0 or none means no expiry. */
export function checkTtl(ttlSeconds: number | undefined): number | undefined {
  if (ttlSeconds === undefined || ttlSeconds === 0) return undefined;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 0 || ttlSeconds > MAX_TTL_SECONDS) {
    throw misuse('STORE.BAD_TTL', `Invalid TTL ${ttlSeconds}`);
  }
  return ttlSeconds;
}

/** A key, in primary-key order; `partition` also accepts the partition key alone. */
export function keyCells(shape: TableShape, key: Row, allowPartition: boolean): Cell[] {
  const cells = cellsOf(shape, key);
  const isPartition = allowPartition && cells.length === shape.partitionKey.length;
  const expected = isPartition ? shape.partitionKey : shape.primaryKey;
  if (cells.length !== expected.length) {
    throw misuse('STORE.BAD_KEY', `Key of ${shape.name} must name exactly ${expected.join(', ')}`);
  }
  requireKey(shape, cells, expected);
  return expected.map((column) => cells.find(([c]) => c === column) as Cell);
}

/** Non-key columns to set: at least one, none of them part of the primary key. */
export function setCells(shape: TableShape, set: Row): Cell[] {
  const cells = cellsOf(shape, set);
  if (cells.length === 0) throw misuse('STORE.BAD_UPDATE', `Update of ${shape.name} sets nothing`);
  for (const [column] of cells) {
    if (shape.primaryKey.includes(column)) {
      throw misuse('STORE.BAD_UPDATE', `Update of ${shape.name} cannot set key column ${column}`);
    }
  }
  return cells;
}

/** Conditions of a lightweight transaction: non-key columns only. */
export function conditionCells(shape: TableShape, condition: Row): Cell[] {
  const cells = cellsOf(shape, condition);
  if (cells.length === 0) throw misuse('STORE.BAD_CONDITION', `Empty condition on ${shape.name}`);
  for (const [column] of cells) {
    if (shape.primaryKey.includes(column)) {
      throw misuse('STORE.BAD_CONDITION', `Condition on ${shape.name} cannot test key column ${column}`);
    }
  }
  return cells;
}

export interface RangeBound {
  readonly op: '>' | '>=' | '<' | '<=';
  readonly value: Value;
}

export interface QueryPlan {
  /** Equality on the partition key, then on a prefix of the clustering key, in key order. */
  readonly equal: Cell[];
  readonly range: { readonly column: string; readonly bounds: RangeBound[] } | undefined;
  /** Clustering columns after the equality prefix, in the order rows come back. */
  readonly rest: readonly { readonly column: string; readonly descending: boolean }[];
  readonly pageSize: number;
}

const RANGE_OPS = [
  ['gt', '>'],
  ['gte', '>='],
  ['lt', '<'],
  ['lte', '<='],
] as const;

/** Checks a query against what a Cassandra table can serve without ALLOW FILTERING. */
export function planQuery(shape: TableShape, options: QueryOptions): QueryPlan {
  const cells = cellsOf(shape, options.where);
  const clustering = shape.clusteringKey.map((c) => c.column);
  let prefix = 0;
  while (prefix < clustering.length && cells.some(([c]) => c === clustering[prefix])) prefix++;
  const expected = [...shape.partitionKey, ...clustering.slice(0, prefix)];
  if (cells.length !== expected.length) {
    throw misuse(
      'STORE.BAD_QUERY',
      `Query on ${shape.name} must name the partition key and a clustering prefix`,
    );
  }
  requireKey(shape, cells, expected);
  const equal = expected.map((column) => cells.find(([c]) => c === column) as Cell);

  let range: QueryPlan['range'];
  if (options.range) {
    const column = options.range.column;
    if (column !== clustering[prefix]) {
      throw misuse('STORE.BAD_QUERY', `Range on ${shape.name} must be on the next clustering column`);
    }
    const type = shape.columns.get(column) as ColumnType;
    const bounds = RANGE_OPS.flatMap(([name, op]) => {
      const value = options.range?.[name];
      if (value === undefined) return [];
      if (value === null) throw misuse('STORE.BAD_QUERY', `Range bound ${name} is null`);
      return [{ op, value: normalizeValue(type, value, `${shape.name}.${column}`) }];
    });
    if (bounds.length === 0) throw misuse('STORE.BAD_QUERY', `Range on ${shape.name}.${column} has no bound`);
    range = { column, bounds };
  }

  const limit = options.limit ?? DEFAULT_PAGE_SIZE;
  if (!Number.isSafeInteger(limit) || limit < 1) throw misuse('STORE.BAD_QUERY', `Invalid limit ${limit}`);
  const rest = shape.clusteringKey
    .slice(prefix)
    .map((c) => ({ column: c.column, descending: (c.order === 'desc') !== (options.reverse === true) }));
  return { equal, range, rest, pageSize: limit };
}
