/**
 * The analytics read model: plain SQL tables that reports query with joins and aggregates, which the
 * query-first Store cannot answer. One dialect, PostgreSQL's (`$1` parameters, `ON CONFLICT`, `RETURNING`,
 * `jsonb`, `timestamptz`, `bigint`), in both adapters: analytics-postgres (a real server, shared by every
 * node) and analytics-pglite (PostgreSQL compiled to WebAssembly, in-process, one node).
 *
 * Values, the same from both adapters (each configures its driver's parsers to match):
 * - int2, int4, int8 (so `count(*)`, `sum(int)`) → number. An int8 beyond ±Number.MAX_SAFE_INTEGER throws a
 *   RangeError rather than rounding: cast such a column to text to read it.
 * - numeric (so `sum(bigint)`, `avg()`, `round()`) and float4/float8 → number (a double: numeric may round).
 * - boolean → boolean; text, varchar, uuid → string; NULL → null.
 * - timestamptz → Date (pass a Date). Use timestamptz, not timestamp: a zone-less timestamp would be read in
 *   the process's local time zone.
 * - date → its `YYYY-MM-DD` text (pass that text too), so a calendar day never shifts with a time zone.
 * - json, jsonb → the parsed value. Pass a plain object, or `JSON.stringify(value)` for an array or a
 *   scalar: node-postgres would send a JavaScript array as a PostgreSQL array literal.
 * - arrays (`text[]`, `bigint[]`, …) → JavaScript arrays whose elements follow these rules; pass arrays.
 * - int8 parameters: a number or a bigint. An undefined parameter is sent as NULL.
 * Other types (bytea, interval, time, …) come back as the drivers make them, which differ: not part of this
 * contract.
 *
 * Errors: a lost or refused connection, an exhausted server, or a closed adapter is a retriable
 * `unavailable('ANALYTICS.UNAVAILABLE')` AppError, and a statement past its timeout a retriable
 * `ANALYTICS.TIMEOUT` one. An error of the SQL itself (syntax, constraint, type) is a bug or a condition
 * the caller checks: it is the driver's own Error, with the SQLSTATE in its `code` (`23505` for a unique
 * violation) in both adapters.
 */
export interface AnalyticsMigration {
  /** Sortable and unique, e.g. `0100_reports`. Applied once, in id order, each in its own transaction. */
  readonly id: string;
  /** One or more statements, run as they are (no parameters). */
  readonly sql: string;
}

export interface SqlRunner {
  /** One statement; its rows (none for a statement without RETURNING). */
  query<R extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<R[]>;
}

export interface Analytics extends SqlRunner {
  readonly name: string;
  /**
   * Applies the migrations not applied yet, recording each in `analytics_migrations(id text primary key,
   * applied timestamptz)`. Idempotent, and safe when several nodes migrate at once: each migration runs
   * under a transaction-scoped advisory lock and is skipped if another node applied it first.
   */
  migrate(migrations: readonly AnalyticsMigration[]): Promise<void>;
  /**
   * Runs fn in one transaction (BEGIN/COMMIT, ROLLBACK on throw); the runner it gets is only valid inside.
   * Inside fn, use only that runner: this adapter's own `query` or `transaction` there rejects at once
   * (on PGlite's single connection it would otherwise wait for the transaction forever). If a statement
   * failed and fn swallowed the error, COMMIT cannot apply the rest, so the call rejects.
   */
  transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T>;
  /** Throws when the database cannot serve requests. */
  health(): Promise<void>;
  /** Idempotent; afterwards every call rejects with ANALYTICS.UNAVAILABLE. */
  close(): Promise<void>;
}
