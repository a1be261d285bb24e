/**
 * What analytics-postgres and analytics-pglite share: the value parsers that make both return the types
 * documented in server/ports/analytics.ts, the migration runner, and the guard against using the adapter
 * itself inside one of its transactions.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { invalid, isAppError, unavailable } from '../../lib/errors.ts';
import type { Logger } from '../../lib/log.ts';
import type { AnalyticsMigration, SqlRunner } from '../../ports/analytics.ts';

/** PostgreSQL type OIDs whose text form both adapters parse themselves. */
export const OID = {
  int8: 20,
  numeric: 1700,
  date: 1082,
  int8Array: 1016,
  numericArray: 1231,
  dateArray: 1182,
};

export function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) {
    throw new RangeError(`the bigint ${text} is beyond Number.MAX_SAFE_INTEGER: cast it to text to read it`);
  }
  return n;
}

export const parseNumeric = (text: string): number => Number(text);

/** `date` stays its `YYYY-MM-DD` text: a Date would put the day at a midnight of some time zone. */
export const keepText = (text: string): string => text;

export const closedError = () => unavailable('ANALYTICS.UNAVAILABLE', 'the analytics adapter is closed');

/** A runner that refuses once its transaction is over, so a leaked one fails loudly, not elsewhere. */
export function scopedRunner(run: SqlRunner['query']): { runner: SqlRunner; end(): void } {
  let open = true;
  const runner: SqlRunner = {
    query: (sql, params) => {
      if (!open)
        return Promise.reject(new Error('this transaction is over: its runner is valid only inside'));
      return run(sql, params);
    },
  };
  return { runner, end: () => (open = false) };
}

/**
 * Marks the async work of a transaction's fn. Calling the adapter itself from there would run outside the
 * transaction on PostgreSQL and wait forever on PGlite's single connection, so both refuse it alike.
 */
export class TransactionScope {
  readonly #inside = new AsyncLocalStorage<true>();

  refuseInside(): void {
    if (this.#inside.getStore()) {
      throw new Error('inside analytics.transaction(fn), use the runner fn was given, not the adapter');
    }
  }

  run<T>(fn: () => Promise<T>): Promise<T> {
    return this.#inside.run(true, fn);
  }
}

/** A transaction of the migration runner: `exec` runs several statements without parameters. */
export interface MigrationTx extends SqlRunner {
  exec(sql: string): Promise<void>;
}

// Keyed by the schema, so migrations of different schemas on one server do not wait for each other.
const LOCK = `SELECT pg_advisory_xact_lock(hashtext('dojo.analytics_migrations.' || coalesce(current_schema(), '')))`;
// A migration (an index on a large table, a backfill), or the wait for another node's, may well outlast the
// statement timeout meant for reports.
const NO_TIMEOUT = 'SET LOCAL statement_timeout = 0';
const TABLE = `CREATE TABLE IF NOT EXISTS analytics_migrations (id text PRIMARY KEY, applied timestamptz NOT NULL)`;

/**
 * Applies, in id order, the migrations not recorded in analytics_migrations, each in a transaction of its
 * own under the advisory lock; a migration another node applied while this one waited is skipped.
 */
export async function applyMigrations(
  migrations: readonly AnalyticsMigration[],
  inTransaction: <T>(fn: (tx: MigrationTx) => Promise<T>) => Promise<T>,
  logger: Logger,
): Promise<void> {
  const ids = new Set<string>();
  for (const m of migrations) {
    if (!m.id || ids.has(m.id))
      throw invalid('ANALYTICS.MIGRATION', `migration id "${m.id}" is empty or repeated`);
    ids.add(m.id);
  }
  const sorted = [...migrations].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const applied = await inTransaction(async (tx) => {
    await tx.query(NO_TIMEOUT);
    await tx.query(LOCK);
    await tx.exec(TABLE);
    const rows = await tx.query<{ id: string }>('SELECT id FROM analytics_migrations');
    return new Set(rows.map((r) => r.id));
  });
  for (const migration of sorted) {
    if (applied.has(migration.id)) continue;
    try {
      const ran = await inTransaction(async (tx) => {
        await tx.query(NO_TIMEOUT);
        await tx.query(LOCK);
        const done = await tx.query('SELECT 1 FROM analytics_migrations WHERE id = $1', [migration.id]);
        if (done.length > 0) return false;
        await tx.exec(migration.sql);
        await tx.query('INSERT INTO analytics_migrations (id, applied) VALUES ($1, now())', [migration.id]);
        return true;
      });
      if (ran) logger.info({ migration: migration.id }, 'analytics migration applied');
    } catch (error) {
      if (isAppError(error)) throw error;
      throw new Error(`analytics migration ${migration.id} failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
}
