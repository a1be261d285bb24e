/** CQL text for the Store's operations; every value travels as a bound parameter of a prepared statement. */
import type { ColumnType } from '../../ports/store.ts';
import type { Cell, QueryPlan, TableShape } from '../store-shared/tables.ts';

const CQL_TYPES: Record<ColumnType, string> = {
  text: 'text',
  uuid: 'uuid',
  timestamp: 'timestamp',
  int: 'int',
  bigint: 'bigint',
  double: 'double',
  boolean: 'boolean',
  blob: 'blob',
  'set<text>': 'set<text>',
  'list<text>': 'list<text>',
  'map<text,text>': 'map<text, text>',
  json: 'text',
};

/** Names are checked against `[a-z][a-z0-9_]*` before they get here; quoting keeps CQL keywords usable. */
export const quote = (identifier: string): string => `"${identifier}"`;
export const tableRef = (keyspace: string, table: string): string => `${quote(keyspace)}.${quote(table)}`;

const equalities = (cells: readonly Cell[]): string => cells.map(([c]) => `${quote(c)} = ?`).join(' AND ');

export function createKeyspaceCql(keyspace: string, dataCenter: string, replicationFactor: number): string {
  const dc = dataCenter.replaceAll("'", "''");
  return (
    `CREATE KEYSPACE IF NOT EXISTS ${quote(keyspace)} WITH replication = ` +
    `{'class': 'NetworkTopologyStrategy', '${dc}': ${replicationFactor}}`
  );
}

export function createTableCql(keyspace: string, shape: TableShape): string {
  const columns = [...shape.columns].map(([name, type]) => `${quote(name)} ${CQL_TYPES[type]}`);
  const partition = `(${shape.partitionKey.map(quote).join(', ')})`;
  const key = [partition, ...shape.clusteringKey.map((c) => quote(c.column))].join(', ');
  const order = shape.clusteringKey.map((c) => `${quote(c.column)} ${c.order.toUpperCase()}`);
  return (
    `CREATE TABLE IF NOT EXISTS ${tableRef(keyspace, shape.name)} (${columns.join(', ')}, PRIMARY KEY (${key}))` +
    (order.length ? ` WITH CLUSTERING ORDER BY (${order.join(', ')})` : '')
  );
}

export const addColumnCql = (keyspace: string, table: string, column: string, type: ColumnType): string =>
  `ALTER TABLE ${tableRef(keyspace, table)} ADD ${quote(column)} ${CQL_TYPES[type]}`;

const selectList = (shape: TableShape): string => [...shape.columns.keys()].map(quote).join(', ');

export interface Condition {
  readonly ifNotExists?: boolean;
  readonly ifExists?: boolean;
  readonly if?: readonly Cell[] | undefined;
}

function conditionCql(condition: Condition): string {
  if (condition.ifNotExists) return ' IF NOT EXISTS';
  if (condition.if) return ` IF ${equalities(condition.if)}`;
  if (condition.ifExists) return ' IF EXISTS';
  return '';
}

export function insertCql(
  keyspace: string,
  shape: TableShape,
  cells: readonly Cell[],
  condition: Condition,
  ttl: boolean,
) {
  const columns = cells.map(([c]) => quote(c));
  return (
    `INSERT INTO ${tableRef(keyspace, shape.name)} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})` +
    `${conditionCql(condition)}${ttl ? ' USING TTL ?' : ''}`
  );
}

/** Parameters: TTL (when given), the set values, the key values, then the condition values. */
export function updateCql(
  keyspace: string,
  shape: TableShape,
  key: readonly Cell[],
  set: readonly Cell[],
  condition: Condition,
  ttl: boolean,
) {
  return (
    `UPDATE ${tableRef(keyspace, shape.name)}${ttl ? ' USING TTL ?' : ''} SET ${set.map(([c]) => `${quote(c)} = ?`).join(', ')}` +
    ` WHERE ${equalities(key)}${conditionCql(condition)}`
  );
}

export const deleteCql = (keyspace: string, shape: TableShape, key: readonly Cell[], condition: Condition) =>
  `DELETE FROM ${tableRef(keyspace, shape.name)} WHERE ${equalities(key)}${conditionCql(condition)}`;

export const getCql = (keyspace: string, shape: TableShape, key: readonly Cell[]) =>
  `SELECT ${selectList(shape)} FROM ${tableRef(keyspace, shape.name)} WHERE ${equalities(key)}`;

/** Rows of one partition by `slots` clustering tuples; parameters: the partition key, then each tuple's values. */
export function getSlotsCql(
  keyspace: string,
  shape: TableShape,
  partition: readonly Cell[],
  slots: number,
): string {
  const clustering = shape.clusteringKey.map((c) => quote(c.column));
  const tuple = `(${clustering.map(() => '?').join(', ')})`;
  return (
    `SELECT ${selectList(shape)} FROM ${tableRef(keyspace, shape.name)} WHERE ${equalities(partition)} AND ` +
    `(${clustering.join(', ')}) IN (${Array.from({ length: slots }, () => tuple).join(', ')})`
  );
}

/** Parameters: the equality values, then the range bounds. ORDER BY only when reading against the table's order. */
export function queryCql(keyspace: string, shape: TableShape, plan: QueryPlan, reverse: boolean): string {
  const where = [
    equalities(plan.equal),
    ...(plan.range?.bounds ?? []).map((b) => `${quote(plan.range?.column ?? '')} ${b.op} ?`),
  ];
  const order = shape.clusteringKey.map(
    (c) => `${quote(c.column)} ${(c.order === 'desc') !== reverse ? 'DESC' : 'ASC'}`,
  );
  return (
    `SELECT ${selectList(shape)} FROM ${tableRef(keyspace, shape.name)} WHERE ${where.join(' AND ')}` +
    (reverse && order.length ? ` ORDER BY ${order.join(', ')}` : '')
  );
}

/** Every row of the table, in token order (the driver pages it with fetchSize and pageState). */
export const scanCql = (keyspace: string, shape: TableShape): string =>
  `SELECT ${selectList(shape)} FROM ${tableRef(keyspace, shape.name)}`;
