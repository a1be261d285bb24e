/**
 * What the event loop and a search thread (search-thread.ts) send each other: a search to compute, and the
 * page or the error that comes back. Errors travel as the AppError's fields, so the problem+json mapping
 * treats them as if the search had run on the event loop.
 */
import type { Config } from '../../../config/index.ts';
import { AppError, isAppError, type ErrorKind, type FieldError } from '../../lib/errors.ts';
import type { PocPage } from './page-cache.ts';
import type { Owner } from './repo.ts';
import type { PageRequest, PocQuery } from './search.ts';

export interface SearchThreadData {
  readonly config: Config;
  /** The cursor secret (as the event loop's CursorCodec has it), so both sign the same cursors. */
  readonly secret: Uint8Array;
}

export interface SearchRequest {
  readonly id: number;
  readonly owner: Owner;
  readonly query: PocQuery;
  readonly request: PageRequest;
  readonly scope: string;
}

export interface SentError {
  readonly code: string;
  readonly message: string;
  readonly kind: ErrorKind;
  readonly retriable: boolean;
  readonly fields: readonly FieldError[];
  readonly retryAfterSeconds: number | undefined;
}

/** A page, its JSON as a transferred buffer of its own; or the error. `ready` once the thread can search. */
export type SearchReply =
  | { readonly ready: true }
  | { readonly id: number; readonly page: Omit<PocPage, 'json'> & { readonly json: Uint8Array } }
  | { readonly id: number; readonly error: SentError };

export function sentError(error: unknown): SentError {
  const e = isAppError(error)
    ? error
    : new AppError('POC.SEARCH_FAILED', 'The search failed', { kind: 'INTERNAL' });
  return {
    code: e.code,
    message: e.message,
    kind: e.kind,
    retriable: e.retriable,
    fields: e.fields,
    retryAfterSeconds: e.retryAfterSeconds,
  };
}

export function receivedError(sent: SentError): AppError {
  const { code, message, ...options } = sent;
  return new AppError(code, message, {
    kind: options.kind,
    retriable: options.retriable,
    fields: options.fields,
    ...(options.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: options.retryAfterSeconds }),
  });
}
