/**
 * Which driver failures are worth another attempt, and the AppErrors they become. A driver message never
 * reaches the AppError's message, only its `cause`.
 */
import cassandra from 'cassandra-driver';
import { AppError, isAppError, unavailable } from '../../lib/errors.ts';

const codes = cassandra.types.responseErrorCodes;
const { NoHostAvailableError, OperationTimedOutError, BusyConnectionError, ResponseError } = cassandra.errors;

/** Refused by the coordinator before anything was executed: safe to repeat even for a conditional write. */
const REFUSED_BEFORE_EXECUTION: ReadonlySet<number> = new Set([
  codes.unavailableException,
  codes.overloaded,
  codes.isBootstrapping,
]);
const SERVER_TIMEOUTS: ReadonlySet<number> = new Set([codes.readTimeout, codes.writeTimeout]);

const responseCode = (error: unknown): number | undefined =>
  error instanceof ResponseError ? error.code : undefined;

function isTimeout(error: unknown): boolean {
  const code = responseCode(error);
  return error instanceof OperationTimedOutError || (code !== undefined && SERVER_TIMEOUTS.has(code));
}

/**
 * Transient failures only. A timeout leaves the outcome unknown, so it is retried only for idempotent
 * statements; a timed-out lightweight transaction may have been applied and is never repeated blindly.
 */
export function isTransient(error: unknown, idempotent: boolean): boolean {
  if ((error as { writeType?: unknown } | null)?.writeType === 'CAS') return false;
  if (error instanceof NoHostAvailableError || error instanceof BusyConnectionError) return true;
  const code = responseCode(error);
  if (code !== undefined && REFUSED_BEFORE_EXECUTION.has(code)) return true;
  return idempotent && isTimeout(error);
}

/** The page state the server could not use: malformed, or from another statement. */
export function isBadPageState(error: unknown): boolean {
  const code = responseCode(error);
  if (code === codes.protocolError || code === codes.invalid || code === codes.serverError) {
    return /pag/i.test((error as Error).message);
  }
  return error instanceof RangeError || error instanceof TypeError;
}

export function toAppError(error: unknown, idempotent: boolean): AppError {
  if (isAppError(error)) return error;
  if (isTimeout(error)) {
    return new AppError('STORE.TIMEOUT', 'The store timed out', {
      kind: 'TIMEOUT',
      retriable: idempotent,
      cause: error,
    });
  }
  if (isTransient(error, idempotent))
    return unavailable('STORE.UNAVAILABLE', 'The store is unavailable', error);
  return new AppError('STORE.FAILED', 'The store failed', { kind: 'INTERNAL', cause: error });
}
