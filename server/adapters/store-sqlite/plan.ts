/**
 * The SQL of one table, derived once per table shape instead of on every call: the column list, the
 * primary-key read, the batched read of many keys of one partition, and the row decoder. Reads return
 * arrays in `columns` order (cheaper for node:sqlite to build than objects with named properties).
 */
import type { SQLInputValue, SQLOutputValue, StatementSync } from 'node:sqlite';
import type { ColumnType, Row } from '../../ports/store.ts';
import type { TableShape } from '../store-shared/tables.ts';
import { emptyValue } from '../store-shared/values.ts';
import { EXPIRES, decode, quote } from './sql.ts';

/** Rows still alive at the bound `now` (the last parameter of every read). */
export const LIVE = `(${quote(EXPIRES)} IS NULL OR ${quote(EXPIRES)} > ?)`;

/** Keys of one batched read (a statement per count, so at most this many statements per table). */
const MAX_KEYS_PER_READ = 64;

/** The adapter's statement cache: one prepared statement per SQL text, returning arrays. */
export type Prepare = (sql: string) => StatementSync;

export const equalities = (columns: readonly string[]): string =>
  columns.map((c) => `${quote(c)} = ?`).join(' AND ');

export class TablePlan {
  readonly shape: TableShape;
  readonly table: string;
  readonly select: string;
  readonly columns: readonly (readonly [string, ColumnType])[];
  /** Index of each primary-key column in `columns`, in key order. */
  readonly keyIndexes: readonly number[];
  /** By the full primary key; parameters: the key values in key order, then `now`. */
  readonly getSql: string;
  /** Deletes the row of a full primary key if it has expired; parameters: the key values, then `now`. */
  readonly deleteExpiredSql: string;
  readonly #many = new Map<number, string>();
  readonly #writes = new Map<string, string>();

  constructor(shape: TableShape) {
    this.shape = shape;
    this.table = quote(shape.name);
    this.columns = [...shape.columns];
    this.select = this.columns.map(([c]) => quote(c)).join(', ');
    this.keyIndexes = shape.primaryKey.map((k) => this.columns.findIndex(([c]) => c === k));
    this.getSql = `SELECT ${this.select} FROM ${this.table} WHERE ${equalities(shape.primaryKey)} AND ${LIVE}`;
    this.deleteExpiredSql = `DELETE FROM ${this.table} WHERE ${equalities(shape.primaryKey)} AND ${quote(EXPIRES)} <= ?`;
  }

  /**
   * Insert-or-update of `columns` (the key among them) and the expiry; parameters: the column values, then
   * the new expiry. A full insert replaces the expiry, any other write keeps the later of the two.
   */
  upsertSql(columns: readonly string[], replaces: boolean): string {
    return this.#write(`upsert ${replaces} ${columns.join(',')}`, () => {
      const names = [...columns.map(quote), quote(EXPIRES)];
      const expires = `${this.table}.${quote(EXPIRES)}`;
      const newExpires = `excluded.${quote(EXPIRES)}`;
      const keepLater = `CASE WHEN ${expires} IS NULL OR ${newExpires} IS NULL THEN NULL ELSE max(${expires}, ${newExpires}) END`;
      const assignments = [
        ...columns
          .filter((c) => !this.shape.primaryKey.includes(c))
          .map((c) => `${quote(c)} = excluded.${quote(c)}`),
        `${quote(EXPIRES)} = ${replaces ? newExpires : keepLater}`,
      ];
      return (
        `INSERT INTO ${this.table} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')}) ` +
        `ON CONFLICT (${this.shape.primaryKey.map(quote).join(', ')}) DO UPDATE SET ${assignments.join(', ')}`
      );
    });
  }

  /** By the full primary key or the partition key alone; parameters: the key values. */
  deleteSql(keyColumns: readonly string[]): string {
    return this.#write(
      `delete ${keyColumns.join(',')}`,
      () => `DELETE FROM ${this.table} WHERE ${equalities(keyColumns)}`,
    );
  }

  #write(id: string, build: () => string): string {
    let sql = this.#writes.get(id);
    if (sql === undefined) {
      sql = build();
      this.#writes.set(id, sql);
    }
    return sql;
  }

  /**
   * `slots` rows of one partition by their clustering values; parameters: the partition key values, the
   * clustering values of each slot, then `now`. Only for tables with a clustering key.
   */
  manySql(slots: number): string {
    let sql = this.#many.get(slots);
    if (!sql) {
      const clustering = this.shape.clusteringKey.map((c) => quote(c.column));
      const tuple = `(${clustering.map(() => '?').join(', ')})`;
      sql =
        `SELECT ${this.select} FROM ${this.table} WHERE ${equalities(this.shape.partitionKey)} AND ` +
        `(${clustering.join(', ')}) IN (VALUES ${Array.from({ length: slots }, () => tuple).join(', ')}) AND ${LIVE}`;
      this.#many.set(slots, sql);
    }
    return sql;
  }

  /** Every column of the table, absent ones as their empty value (as `completeRow` makes them). */
  decodeRow(raw: readonly SQLOutputValue[]): Row {
    const row: Row = {};
    for (let i = 0; i < this.columns.length; i++) {
      const [column, type] = this.columns[i] as readonly [string, ColumnType];
      const value = decode(type, raw[i]);
      row[column] = value === null || value === undefined ? emptyValue(type) : value;
    }
    return row;
  }

  indexOf(column: string): number {
    return this.columns.findIndex(([c]) => c === column);
  }

  /** One live row by its encoded primary-key values, in key order. */
  read(prepare: Prepare, key: readonly SQLInputValue[], now: number): Row | undefined {
    const raw = prepare(this.getSql).get(...key, now) as unknown as SQLOutputValue[] | undefined;
    return raw ? this.decodeRow(raw) : undefined;
  }

  /**
   * Live rows by their encoded primary keys, in the order asked (undefined where none): the keys of one
   * partition are read together, a statement per MAX_KEYS_PER_READ of them.
   */
  readMany(prepare: Prepare, keys: readonly (readonly SQLInputValue[])[], now: number): (Row | undefined)[] {
    const found = new Map<string, Row>();
    const texts = keys.map(keyText);
    const parts = this.shape.partitionKey.length;
    if (this.shape.clusteringKey.length === 0) {
      keys.forEach((key, i) => {
        const row = this.read(prepare, key, now);
        if (row) found.set(texts[i] as string, row);
      });
    } else {
      for (const group of byPartition(parts, keys)) {
        for (let i = 0; i < group.length; i += MAX_KEYS_PER_READ) {
          const chunk = group.slice(i, i + MAX_KEYS_PER_READ);
          const params: SQLInputValue[] = (chunk[0] ?? []).slice(0, parts);
          for (const key of chunk)
            for (let k = parts; k < key.length; k++) params.push(key[k] as SQLInputValue);
          const rows = prepare(this.manySql(chunk.length)).all(
            ...params,
            now,
          ) as unknown as SQLOutputValue[][];
          for (const raw of rows) found.set(this.rowKey(raw), this.decodeRow(raw));
        }
      }
    }
    return texts.map((text) => found.get(text));
  }

  /** A text naming a row's primary key, from the stored values of a raw row. */
  rowKey(raw: readonly SQLOutputValue[]): string {
    return keyText(this.keyIndexes.map((i) => raw[i] as SQLInputValue));
  }
}

/** Primary-key values (encoded for SQLite) as one text; length prefixes keep it unambiguous. */
function keyText(values: readonly SQLInputValue[]): string {
  let text = '';
  for (const v of values) {
    if (typeof v === 'string') text += `s${v.length}:${v}`;
    else if (v instanceof Uint8Array) text += `b${Buffer.from(v).toString('hex')};`;
    else text += `${typeof v}:${String(v)};`;
  }
  return text;
}

/** Encoded keys grouped by their first `parts` values (the partition), each group in the order given. */
function byPartition(
  parts: number,
  keys: readonly (readonly SQLInputValue[])[],
): Iterable<(readonly SQLInputValue[])[]> {
  const groups = new Map<string, (readonly SQLInputValue[])[]>();
  for (const key of keys) {
    const partition = keyText(key.slice(0, parts));
    const group = groups.get(partition);
    if (group) group.push(key);
    else groups.set(partition, [key]);
  }
  return groups.values();
}
