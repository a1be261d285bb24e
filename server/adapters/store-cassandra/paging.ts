/**
 * One page of a paged read, for `query` and `scan`: the driver's page state (the hex of the server's
 * paging state) resumes the statement, and one the server cannot use is the caller's INVALID mistake.
 */
import cassandra from 'cassandra-driver';
import { AppError, invalid } from '../../lib/errors.ts';
import type { Page } from '../../ports/store.ts';
import type { TableShape } from '../store-shared/tables.ts';
import { decodeRow } from './codec.ts';
import { isBadPageState } from './errors.ts';

const { localQuorum } = cassandra.types.consistencies;
const PAGE_STATE = /^(?:[0-9a-f]{2})+$/;

/** The adapter's retried, AppError-wrapping execute (as MigrationRunner.execute). */
export type Execute = (
  cql: string,
  params: unknown[],
  options: cassandra.QueryOptions,
  idempotent: boolean,
) => Promise<cassandra.types.ResultSet>;

const badPageState = () => invalid('STORE.BAD_PAGE_STATE', 'Invalid page state');

/** Runs a prepared read at LOCAL_QUORUM for `pageSize` rows from `pageState` and decodes them. */
export async function readPage(
  execute: Execute,
  shape: TableShape,
  statement: { readonly query: string; readonly params: unknown[] },
  pageSize: number,
  pageState: string | undefined,
): Promise<Page> {
  if (pageState !== undefined && !PAGE_STATE.test(pageState)) throw badPageState();
  const paging = { fetchSize: pageSize, ...(pageState === undefined ? {} : { pageState }) };
  let result: cassandra.types.ResultSet;
  try {
    result = await execute(
      statement.query,
      statement.params,
      { prepare: true, consistency: localQuorum, ...paging },
      true,
    );
  } catch (error) {
    const cause = error instanceof AppError && error.code === 'STORE.FAILED' ? error.cause : undefined;
    if (pageState !== undefined && cause !== undefined && isBadPageState(cause)) throw badPageState();
    throw error;
  }
  const rows = result.rows.map((row) => decodeRow(shape, row));
  return result.pageState ? { rows, pageState: result.pageState } : { rows };
}
