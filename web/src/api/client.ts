/**
 * The typed API client: every call is checked against `Paths` (generated from /openapi.json), so a
 * renamed field or path fails the web typecheck. Errors come back as `ApiError` carrying the problem+json
 * body and its `errors[].path` by field, for forms to show beside their inputs.
 */
import type { Paths, Problem } from './schema.gen.ts';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type PathsWith<M extends Method> = { [P in keyof Paths]: M extends keyof Paths[P] ? P : never }[keyof Paths];
type Op<P extends keyof Paths, M extends Method> = M extends keyof Paths[P] ? Paths[P][M] : never;
type Field<O, K extends string> = O extends Record<K, infer T> ? T : never;
type Success<O> = Field<O, 'responses'> extends infer R ? R[keyof R & (200 | 201 | 202 | 204)] : never;

/** What a call takes besides its path: only the parts the operation has. */
export type CallOptions<O> = ([Field<O, 'params'>] extends [never]
  ? { params?: never }
  : { params: Field<O, 'params'> }) &
  ([Field<O, 'query'>] extends [never] ? { query?: never } : { query?: Field<O, 'query'> }) &
  ([Field<O, 'body'>] extends [never] ? { body?: never } : { body: Field<O, 'body'> }) & {
    headers?: Record<string, string>;
    signal?: AbortSignal;
  };

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem | undefined;
  /** Validation messages by field path (`errors[].path`); several for one path are joined. */
  readonly fieldErrors: Readonly<Record<string, string>>;

  constructor(status: number, problem: Problem | undefined, fallback: string) {
    super(problem?.detail ?? fallback);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
    const fields: Record<string, string> = {};
    for (const e of problem?.errors ?? [])
      fields[e.path] = fields[e.path] ? `${fields[e.path]}; ${e.message}` : e.message;
    this.fieldErrors = fields;
  }
}

/** Supplies bearer tokens: `token()` (fresh) and `refreshed(refused)` (after a 401; rejects when the session is over). */
export interface TokenSource {
  token(): Promise<string | undefined>;
  refreshed(refused: string): Promise<string | undefined>;
}

export interface Api {
  get<P extends PathsWith<'get'>>(
    path: P,
    options?: CallOptions<Op<P, 'get'>>,
  ): Promise<Success<Op<P, 'get'>>>;
  post<P extends PathsWith<'post'>>(
    path: P,
    options?: CallOptions<Op<P, 'post'>>,
  ): Promise<Success<Op<P, 'post'>>>;
  put<P extends PathsWith<'put'>>(
    path: P,
    options?: CallOptions<Op<P, 'put'>>,
  ): Promise<Success<Op<P, 'put'>>>;
  patch<P extends PathsWith<'patch'>>(
    path: P,
    options?: CallOptions<Op<P, 'patch'>>,
  ): Promise<Success<Op<P, 'patch'>>>;
  del<P extends PathsWith<'delete'>>(
    path: P,
    options?: CallOptions<Op<P, 'delete'>>,
  ): Promise<Success<Op<P, 'delete'>>>;
}

interface RawOptions {
  params?: Record<string, string>;
  query?: Record<string, unknown>;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** `/v1/pocs/{id}` + `{id}` → `/v1/pocs/<id>`, and the query with repeated keys for arrays. */
export function buildUrl(base: string, path: string, options: RawOptions = {}): string {
  const filled = path.replace(/\{([^}]+)\}/g, (_, name: string) =>
    encodeURIComponent(options.params?.[name] ?? ''),
  );
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(options.query ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    for (const v of Array.isArray(value) ? value : [value]) search.append(name, String(v));
  }
  const qs = search.toString();
  return `${base}${filled}${qs ? `?${qs}` : ''}`;
}

export function createApi(
  base: string,
  tokens: TokenSource,
  fetchImpl: typeof fetch = fetch.bind(globalThis),
): Api {
  async function send(
    method: string,
    path: string,
    options: RawOptions = {},
    retried = false,
  ): Promise<unknown> {
    const token = await tokens.token();
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (token) headers.authorization = `Bearer ${token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetchImpl(buildUrl(base, path, options), {
      method: method.toUpperCase(),
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (res.status === 401 && token && !retried) {
      await tokens.refreshed(token);
      return send(method, path, options, true);
    }
    if (res.status === 204) return undefined;
    const text = await res.text();
    const parsed: unknown = text ? safeJson(text) : undefined;
    if (!res.ok)
      throw new ApiError(
        res.status,
        isProblem(parsed) ? parsed : undefined,
        `${res.status} ${res.statusText}`,
      );
    return parsed;
  }
  const call = (method: Method) => (path: string, options?: RawOptions) => send(method, path, options);
  return {
    get: call('get'),
    post: call('post'),
    put: call('put'),
    patch: call('patch'),
    del: call('delete'),
  } as Api;
}

const safeJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

const isProblem = (v: unknown): v is Problem =>
  typeof v === 'object' && v !== null && typeof (v as Problem).status === 'number' && 'title' in v;
