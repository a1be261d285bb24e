/** Between the port's value shapes and what cassandra-driver binds and returns. */
import cassandra from 'cassandra-driver';
import type { ColumnType, Row, Value } from '../../ports/store.ts';
import type { TableShape } from '../store-shared/tables.ts';
import { completeRow, normalizeValue } from '../store-shared/values.ts';

/** `value` is already normalized (server/adapters/store-shared/values.ts). */
export function encode(type: ColumnType, value: Value): unknown {
  if (value === null || value === undefined) return null;
  if (type === 'json') return JSON.stringify(value);
  if (type === 'bigint') return cassandra.types.Long.fromNumber(value as number);
  return value;
}

export function decode(type: ColumnType, value: unknown, where: string): Value {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'uuid':
      return String(value);
    case 'bigint':
      return value instanceof cassandra.types.Long ? value.toNumber() : Number(value);
    case 'json':
      return JSON.parse(value as string) as unknown;
    case 'set<text>':
    case 'map<text,text>':
      // Cassandra already sorts them by bytes; normalizing keeps the exact order the port promises.
      return normalizeValue(type, value as Value, where);
    default:
      return value as Value;
  }
}

export function decodeRow(shape: TableShape, row: cassandra.types.Row): Row {
  return completeRow(shape.columns, (column) =>
    decode(shape.columns.get(column) ?? 'text', row.get(column) as unknown, `${shape.name}.${column}`),
  );
}
