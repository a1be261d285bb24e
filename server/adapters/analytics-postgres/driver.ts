/**
 * What node-postgres needs to behave as server/ports/analytics.ts says: the per-pool type parsers, the
 * mapping of connection failures to AppErrors, and one way to run a statement.
 */
import pg from 'pg';
import { AppError, isAppError, unavailable } from '../../lib/errors.ts';
import { keepText, OID, parseInt8, parseNumeric } from '../analytics-shared/index.ts';

const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH']);
// node-postgres raises these without a code when the socket or the pool gives out.
const DRIVER =
  /connection terminated|timeout exceeded when trying to connect|connection error|after calling end/i;

// node-postgres's text[] parser splits any array literal into (nested) strings and nulls.
const builtin = pg.types.getTypeParser as (oid: number, format?: string) => (text: string) => unknown;
const splitArray = builtin(1009);
const arrayOf = (parse: (text: string) => unknown) => {
  const each = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(each) : v === null ? null : parse(v as string);
  return (text: string) => each(splitArray(text));
};

// Per pool, not pg.types.setTypeParser: that would change the types of every other pg user in the process.
const PARSERS: Record<number, (text: string) => unknown> = {
  [OID.int8]: parseInt8,
  [OID.numeric]: parseNumeric,
  [OID.date]: keepText,
  [OID.int8Array]: arrayOf(parseInt8),
  [OID.numericArray]: arrayOf(parseNumeric),
  [OID.dateArray]: arrayOf(keepText),
};
export const types = {
  getTypeParser: ((oid: number, format?: string) =>
    (format ?? 'text') === 'text' && PARSERS[oid]
      ? PARSERS[oid]
      : builtin(oid, format)) as typeof pg.types.getTypeParser,
};

/** A connection-level failure becomes a retriable AppError; an error of the SQL itself passes unchanged. */
export function mapPgError(error: unknown): unknown {
  if (isAppError(error) || !(error instanceof Error)) return error;
  const code = (error as { code?: unknown }).code;
  if (code === '57014') {
    return new AppError('ANALYTICS.TIMEOUT', 'the analytics statement timed out', {
      kind: 'TIMEOUT',
      cause: error,
    });
  }
  const lost =
    typeof code === 'string'
      ? NETWORK.has(code) || /^(08|53|57P0)/.test(code)
      : DRIVER.test(error.message) || error instanceof AggregateError;
  return lost
    ? unavailable('ANALYTICS.UNAVAILABLE', `analytics database unavailable: ${error.message}`, error)
    : error;
}

export type Queryable = pg.Pool | pg.PoolClient;

export async function run<R>(
  on: Queryable,
  sql: string,
  params?: readonly unknown[],
): Promise<pg.QueryResult & { rows: R[] }> {
  try {
    // Always the extended protocol, as PGlite's query: one statement, and the same parsing of parameters.
    const config = { text: sql, values: params ? [...params] : [], queryMode: 'extended' } as pg.QueryConfig;
    return (await on.query(config)) as pg.QueryResult & { rows: R[] };
  } catch (error) {
    throw mapPgError(error);
  }
}
