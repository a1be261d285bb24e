/** What both adapters check of a full-table scan before reading (Store.scan). */
import { misuse, type TableShape } from './tables.ts';

/** A page of a scan when the caller gives no limit. */
export const SCAN_DEFAULT_LIMIT = 500;
/** The largest page of a scan: a backfill must not pull a whole table through one response. */
export const SCAN_MAX_LIMIT = 5000;

/** The rows of one page; a limit out of range is refused as a query's invalid limit is. */
export function scanPageSize(shape: TableShape, limit: number = SCAN_DEFAULT_LIMIT): number {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > SCAN_MAX_LIMIT) {
    throw misuse(
      'STORE.BAD_QUERY',
      `Invalid limit ${limit} for a scan of ${shape.name} (1 to ${SCAN_MAX_LIMIT})`,
    );
  }
  return limit;
}
