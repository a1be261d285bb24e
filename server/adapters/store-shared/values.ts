/**
 * Checks a caller's value against its column type and brings it to the one shape both adapters store
 * and return (see the Value doc in server/ports/store.ts), so a row reads back the same from either.
 */
import { AppError } from '../../lib/errors.ts';
import type { ColumnType, Row, Value } from '../../ports/store.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

const badValue = (where: string, expected: string): AppError =>
  new AppError('STORE.BAD_VALUE', `Column ${where} expects ${expected}`, { kind: 'INTERNAL' });

/** Cassandra orders text by its UTF-8 bytes; JavaScript's default sort uses UTF-16 code units. */
export const compareUtf8 = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

function strings(value: unknown, where: string, expected: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw badValue(where, expected);
  return value as string[];
}

/** The normalized value, or null for null. Throws an INTERNAL AppError when the type does not fit. */
export function normalizeValue(type: ColumnType, value: Value, where: string): Value {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'text':
      if (typeof value !== 'string') throw badValue(where, 'a string');
      return value;
    case 'uuid':
      if (typeof value !== 'string' || !UUID.test(value)) throw badValue(where, 'a UUID string');
      return value.toLowerCase();
    case 'timestamp':
      if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw badValue(where, 'a valid Date');
      return new Date(value.getTime());
    case 'int':
      if (!Number.isInteger(value) || (value as number) < INT_MIN || (value as number) > INT_MAX) {
        throw badValue(where, 'a 32-bit integer');
      }
      return value;
    case 'bigint':
      if (!Number.isSafeInteger(value)) throw badValue(where, 'a safe integer');
      return value;
    case 'double':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw badValue(where, 'a finite number');
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw badValue(where, 'a boolean');
      return value;
    case 'blob':
      if (!(value instanceof Uint8Array)) throw badValue(where, 'a Buffer');
      return Buffer.from(value);
    case 'set<text>':
      return [...new Set(strings(value, where, 'an array of strings'))].sort(compareUtf8);
    case 'list<text>':
      return [...strings(value, where, 'an array of strings')];
    case 'map<text,text>': {
      if (
        typeof value !== 'object' ||
        Array.isArray(value) ||
        value instanceof Uint8Array ||
        value instanceof Date
      ) {
        throw badValue(where, 'an object of strings');
      }
      const entries = Object.entries(value as Record<string, unknown>);
      if (!entries.every(([, v]) => typeof v === 'string')) throw badValue(where, 'an object of strings');
      return Object.fromEntries(entries.sort(([a], [b]) => compareUtf8(a, b))) as Record<string, string>;
    }
    case 'json': {
      let text: string | undefined;
      try {
        text = JSON.stringify(value);
      } catch {
        text = undefined;
      }
      if (text === undefined) throw badValue(where, 'a JSON-serializable value');
      return JSON.parse(text) as unknown;
    }
  }
}

/** What a null or absent column reads back as: collections are empty (Cassandra cannot tell them apart). */
export function emptyValue(type: ColumnType): Value {
  if (type === 'set<text>' || type === 'list<text>') return [];
  if (type === 'map<text,text>') return {};
  return null;
}

/** A row with every column of the table, absent ones filled with their empty value. */
export function completeRow(columns: ReadonlyMap<string, ColumnType>, read: (column: string) => Value): Row {
  const row: Row = {};
  for (const [column, type] of columns) {
    const value = read(column);
    row[column] = value === null || value === undefined ? emptyValue(type) : value;
  }
  return row;
}
