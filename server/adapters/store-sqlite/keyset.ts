/**
 * Keyset paging, for `query` and `scan`: a page is read past the position of the previous page's last
 * row, and its own last row's position travels in a signed page state (page-state.ts).
 *
 * A scan walks the whole table in primary-key order, which is the order of the table's own b-tree
 * (WITHOUT ROWID: the partition key ascending, the clustering columns as declared), so it never sorts;
 * the ascending leading key columns also let SQLite seek to the position instead of reading from the start.
 */
import type { KeyObject } from 'node:crypto';
import type { SQLInputValue, SQLOutputValue } from 'node:sqlite';
import type { Page } from '../../ports/store.ts';
import type { TableShape } from '../store-shared/tables.ts';
import { decodePageState, encodePageState, queryFingerprint } from './page-state.ts';
import { LIVE, type TablePlan } from './plan.ts';
import { quote } from './sql.ts';

export interface KeyColumn {
  readonly column: string;
  readonly descending: boolean;
}

/** Runs a read through the adapter's statement cache; rows are arrays in select-list order. */
export type ReadRows = (sql: string, params: readonly SQLInputValue[]) => SQLOutputValue[][];

/**
 * Rows after `position` in the order of `keys`; parameters: `params(position)`.
 * (k1 > ?) OR (k1 = ? AND k2 > ?) OR ..., with `<` for a descending column.
 */
export function afterSql(keys: readonly KeyColumn[]): string {
  const after = keys.map((key, i) =>
    [
      ...keys.slice(0, i).map((p) => `${quote(p.column)} = ?`),
      `${quote(key.column)} ${key.descending ? '<' : '>'} ?`,
    ].join(' AND '),
  );
  return `((${after.join(') OR (')}))`;
}

export const afterParams = (position: readonly SQLInputValue[]): SQLInputValue[] =>
  position.flatMap((_, i) => position.slice(0, i + 1));

export const orderSql = (keys: readonly KeyColumn[]): string =>
  keys.map((k) => `${quote(k.column)} ${k.descending ? 'DESC' : 'ASC'}`).join(', ');

/**
 * A page of at most `pageSize` rows from `raw`, read with `LIMIT pageSize + 1`: the extra row only says
 * that more follow, and the page state holds the `keys` values of the last row kept.
 */
export function keysetPage(
  plan: TablePlan,
  raw: readonly SQLOutputValue[][],
  pageSize: number,
  keys: readonly KeyColumn[],
  sign: (position: SQLInputValue[]) => string,
): Page {
  const rows = raw.slice(0, pageSize);
  const last = rows.at(-1);
  const page: Page = { rows: rows.map((r) => plan.decodeRow(r)) };
  if (raw.length <= pageSize || last === undefined || keys.length === 0) return page;
  const position = keys.map((k) => last[plan.indexOf(k.column)] as SQLInputValue);
  return { ...page, pageState: sign(position) };
}

/** The primary key in the table's b-tree order. */
const keyOrder = (shape: TableShape): KeyColumn[] => [
  ...shape.partitionKey.map((column) => ({ column, descending: false })),
  ...shape.clusteringKey.map((c) => ({ column: c.column, descending: c.order === 'desc' })),
];

/** One page of a full-table scan; `now` hides expired rows as every read does. */
export function scanPage(
  plan: TablePlan,
  secret: KeyObject,
  read: ReadRows,
  options: { readonly pageSize: number; readonly pageState: string | undefined },
  now: number,
): Page {
  const keys = keyOrder(plan.shape);
  const fingerprint = queryFingerprint([plan.shape.name, 'scan'], []);
  const where: string[] = [];
  const params: SQLInputValue[] = [];
  if (options.pageState !== undefined) {
    const position = decodePageState(secret, fingerprint, options.pageState, keys.length);
    const lead = keys.findIndex((k) => k.descending);
    const seek = lead === -1 ? keys : keys.slice(0, lead);
    where.push(`(${seek.map((k) => quote(k.column)).join(', ')}) >= (${seek.map(() => '?').join(', ')})`);
    where.push(afterSql(keys));
    params.push(...position.slice(0, seek.length), ...afterParams(position));
  }
  where.push(LIVE);
  const sql = `SELECT ${plan.select} FROM ${plan.table} WHERE ${where.join(' AND ')} ORDER BY ${orderSql(keys)} LIMIT ?`;
  const raw = read(sql, [...params, now, options.pageSize + 1]);
  return keysetPage(plan, raw, options.pageSize, keys, (position) =>
    encodePageState(secret, fingerprint, position),
  );
}
