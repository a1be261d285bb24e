/** SQLite column mapping: DDL for a table shape, and the codec between port values and SQLite values. */
import type { SQLInputValue, SQLOutputValue } from 'node:sqlite';
import type { ColumnType, Value } from '../../ports/store.ts';
import type { TableShape } from '../store-shared/tables.ts';

/** Epoch milliseconds after which the row is gone; NULL keeps it forever. */
export const EXPIRES = '_expires_at';

const SQL_TYPES: Record<ColumnType, string> = {
  text: 'TEXT',
  uuid: 'TEXT',
  timestamp: 'INTEGER',
  int: 'INTEGER',
  bigint: 'INTEGER',
  double: 'REAL',
  boolean: 'INTEGER',
  blob: 'BLOB',
  'set<text>': 'TEXT',
  'list<text>': 'TEXT',
  'map<text,text>': 'TEXT',
  json: 'TEXT',
};

/** Identifiers are checked against `[a-z][a-z0-9_]*` before they get here; quoting keeps keywords safe. */
export const quote = (identifier: string): string => `"${identifier}"`;

export function createTableSql(shape: TableShape): string[] {
  const columns = [...shape.columns].map(([name, type]) => `${quote(name)} ${SQL_TYPES[type]}`);
  const key = [
    ...shape.partitionKey.map(quote),
    ...shape.clusteringKey.map((c) => `${quote(c.column)} ${c.order === 'desc' ? 'DESC' : 'ASC'}`),
  ];
  const table = quote(shape.name);
  return [
    `CREATE TABLE IF NOT EXISTS ${table} (${columns.join(', ')}, ${quote(EXPIRES)} INTEGER, ` +
      `PRIMARY KEY (${key.join(', ')})) STRICT, WITHOUT ROWID`,
    `CREATE INDEX IF NOT EXISTS ${quote(`${shape.name}__expiry`)} ON ${table} (${quote(EXPIRES)}) ` +
      `WHERE ${quote(EXPIRES)} IS NOT NULL`,
  ];
}

export const addColumnSql = (table: string, column: string, type: ColumnType): string =>
  `ALTER TABLE ${quote(table)} ADD COLUMN ${quote(column)} ${SQL_TYPES[type]}`;

/** `value` is already normalized (server/adapters/store-shared/values.ts). Empty collections store NULL. */
export function encode(type: ColumnType, value: Value): SQLInputValue {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'timestamp':
      return (value as Date).getTime();
    case 'boolean':
      return value ? 1 : 0;
    case 'blob':
      return value as Buffer;
    case 'set<text>':
    case 'list<text>':
      return (value as string[]).length === 0 ? null : JSON.stringify(value);
    case 'map<text,text>':
      return Object.keys(value as object).length === 0 ? null : JSON.stringify(value);
    case 'json':
      return JSON.stringify(value);
    default:
      return value as string | number;
  }
}

export function decode(type: ColumnType, value: SQLOutputValue | undefined): Value {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'timestamp':
      return new Date(Number(value));
    case 'boolean':
      return value !== 0;
    case 'blob': {
      const bytes = value as Uint8Array;
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    case 'set<text>':
    case 'list<text>':
    case 'map<text,text>':
    case 'json':
      return JSON.parse(value as string) as unknown;
    case 'int':
    case 'bigint':
    case 'double':
      return Number(value);
    default:
      return value as string;
  }
}
