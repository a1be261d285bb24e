import { setTimeout as sleep } from 'node:timers/promises';
import { isAppError } from './errors.ts';

export interface RetryOptions {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Decides whether an error may be retried; the default trusts AppError.retriable and network errors. */
  readonly isRetriable?: (error: unknown) => boolean;
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  readonly signal?: AbortSignal;
  /** Injected for tests; defaults to Math.random. */
  readonly random?: () => number;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

const PROGRAMMER_ERRORS = [TypeError, RangeError, ReferenceError, SyntaxError];

/**
 * Retries by default only what is worth it: an AppError marked retriable, a network failure, or an HTTP
 * 5xx/429 reported by an SDK. Never a 4xx or a programmer error.
 */
export function defaultIsRetriable(error: unknown): boolean {
  if (isAppError(error)) return error.retriable;
  if (PROGRAMMER_ERRORS.some((t) => error instanceof t)) return false;
  if (typeof error !== 'object' || error === null) return false;
  const e = error as {
    code?: unknown;
    retriable?: unknown;
    $metadata?: { httpStatusCode?: number };
    statusCode?: unknown;
  };
  if (typeof e.retriable === 'boolean') return e.retriable;
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true;
  const status = e.$metadata?.httpStatusCode ?? (typeof e.statusCode === 'number' ? e.statusCode : undefined);
  if (typeof status === 'number') return status >= 500 || status === 429;
  return false;
}

/** Full-jitter exponential backoff: a delay drawn uniformly from [0, min(max, base * 2^attempt)]. */
export function backoffDelay(attempt: number, baseDelayMs: number, maxDelayMs: number, random = Math.random) {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** attempt);
  return Math.round(random() * ceiling);
}

export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const isRetriable = options.isRetriable ?? defaultIsRetriable;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt + 1 >= options.attempts || !isRetriable(error) || options.signal?.aborted) throw error;
      const delay = backoffDelay(attempt, options.baseDelayMs, options.maxDelayMs, options.random);
      options.onRetry?.(error, attempt + 1, delay);
      await sleep(delay, undefined, options.signal ? { signal: options.signal } : undefined);
    }
  }
}
