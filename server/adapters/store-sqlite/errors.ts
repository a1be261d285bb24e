/** Which SQLite failures are worth another attempt, and the AppErrors they become. */
import { AppError, isAppError, unavailable } from '../../lib/errors.ts';

/** SQLite primary result codes worth retrying: BUSY, LOCKED, NOMEM, IOERR, FULL, CANTOPEN, PROTOCOL. */
const TRANSIENT_CODES = new Set([5, 6, 7, 10, 13, 14, 15]);

export function wrap(error: unknown): AppError {
  if (isAppError(error)) return error;
  const errcode = (error as { errcode?: unknown } | null)?.errcode;
  if (typeof errcode === 'number' && TRANSIENT_CODES.has(errcode & 0xff)) {
    return unavailable('STORE.UNAVAILABLE', 'The store is unavailable', error);
  }
  return new AppError('STORE.FAILED', 'The store failed', { kind: 'INTERNAL', cause: error });
}
