/**
 * The one error type the application throws on purpose. `code` is namespaced (`POC.NOT_FOUND`); its
 * namespace-free suffix decides the HTTP status in server/http/problem.ts, the only place that maps it.
 */
export type ErrorKind =
  | 'INVALID'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'TOO_LARGE'
  | 'UNSUPPORTED_MEDIA'
  | 'THROTTLED'
  | 'PAYMENT_DECLINED'
  /** The tenant's plan does not include this (a limit it reached, a feature it lacks). */
  | 'PAYMENT_REQUIRED'
  | 'UNAVAILABLE'
  | 'TIMEOUT'
  | 'INTERNAL';

export interface FieldError {
  readonly path: string;
  readonly message: string;
}

export interface AppErrorOptions {
  readonly kind: ErrorKind;
  readonly retriable?: boolean;
  readonly cause?: unknown;
  readonly fields?: readonly FieldError[];
  /** Seconds a client should wait before trying again (THROTTLED, UNAVAILABLE). */
  readonly retryAfterSeconds?: number;
}

export class AppError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly retriable: boolean;
  readonly fields: readonly FieldError[];
  readonly retryAfterSeconds: number | undefined;

  constructor(code: string, message: string, options: AppErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.kind = options.kind;
    this.retriable = options.retriable ?? (options.kind === 'UNAVAILABLE' || options.kind === 'TIMEOUT');
    this.fields = options.fields ?? [];
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

/** An error of a remote dependency (driver, socket) that is worth retrying. */
export function unavailable(code: string, message: string, cause?: unknown): AppError {
  return new AppError(code, message, { kind: 'UNAVAILABLE', retriable: true, cause });
}

export function invalid(code: string, message: string, fields: readonly FieldError[] = []): AppError {
  return new AppError(code, message, { kind: 'INVALID', fields });
}

export function notFound(code: string, message: string): AppError {
  return new AppError(code, message, { kind: 'NOT_FOUND' });
}

export function conflict(code: string, message: string): AppError {
  return new AppError(code, message, { kind: 'CONFLICT' });
}

export function forbidden(code: string, message: string): AppError {
  return new AppError(code, message, { kind: 'FORBIDDEN' });
}
