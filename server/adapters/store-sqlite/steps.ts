/**
 * The steps of a write unit (write-unit.ts) for one table: the check of a conditional write, an upsert and a
 * delete, in the SQL of the table's plan (plan.ts) with their parameters encoded for SQLite. The store turns
 * each write of the port into these and sends them to the writer thread as one unit.
 */
import type { SQLInputValue } from 'node:sqlite';
import { misuse, primaryKeyOf, type Cell, type TableShape } from '../store-shared/tables.ts';
import type { TablePlan } from './plan.ts';
import { encode } from './sql.ts';
import type { Check, Step } from './write-unit.ts';

export function encodeCell(shape: TableShape, [column, value]: Cell): SQLInputValue {
  const type = shape.columns.get(column);
  if (!type) throw misuse('STORE.UNKNOWN_COLUMN', `Unknown column ${shape.name}.${column}`);
  return encode(type, value);
}

export const encodeAll = (shape: TableShape, cells: readonly Cell[]): SQLInputValue[] =>
  cells.map((cell) => encodeCell(shape, cell));

const columnsOf = (cells: readonly Cell[]): string[] => cells.map(([c]) => c);

/** Reads the row at `key` (the full primary key, in key order) and refuses the unit unless `check` holds. */
export function checkStep(
  plan: TablePlan,
  key: readonly Cell[],
  now: number,
  check: Omit<Check, 'sql' | 'params'>,
): Step {
  return { check: { sql: plan.getSql, params: [...encodeAll(plan.shape, key), now], ...check } };
}

/** The check of a conditional update or delete, if it is one. */
export function refusalSteps(
  plan: TablePlan,
  key: readonly Cell[],
  conditions: readonly Cell[] | undefined,
  ifExists: boolean,
  now: number,
): Step[] {
  if (!conditions && !ifExists) return [];
  // As in Cassandra, a missing row meets a condition that expects nothing but nulls.
  const equal = (conditions ?? []).map(
    ([column, expected]) => [plan.indexOf(column), encodeCell(plan.shape, [column, expected])] as const,
  );
  return [checkStep(plan, key, now, { ifExists, equal })];
}

/** `replaces`: the cells name every column, so the row is written whole. */
export function upsertSteps(
  plan: TablePlan,
  cells: readonly Cell[],
  expiresAt: number | null,
  replaces: boolean,
  now: number,
): Step[] {
  const { shape } = plan;
  return [
    // An expired row must not lend its stale cells to the new one.
    { sql: plan.deleteExpiredSql, params: [...encodeAll(shape, primaryKeyOf(shape, cells)), now] },
    { sql: plan.upsertSql(columnsOf(cells), replaces), params: [...encodeAll(shape, cells), expiresAt] },
  ];
}

export function removeStep(plan: TablePlan, key: readonly Cell[]): Step {
  return { sql: plan.deleteSql(columnsOf(key)), params: encodeAll(plan.shape, key) };
}
