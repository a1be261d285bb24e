import { parse as parseQuery } from 'node:querystring';
import bodyParser from 'body-parser';
import fresh from 'fresh';
import typeIs from 'type-is';
import type { z } from 'zod';
import { AppError } from '../lib/errors.ts';
import { deepFreeze } from '../lib/freeze.ts';
import type { Auth } from '../capabilities.ts';
import { authMiddleware, authResponses, type EndpointAuth } from './auth.ts';
import { fieldErrors } from './problem.ts';
import type { HttpRequest, HttpResponse, Middleware, NextFunction } from './types.ts';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  /** The body already serialized as JSON, as text or UTF-8 bytes (e.g. kept with a cached result). */
  readonly json?: string | Buffer;
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as is instead of JSON (e.g. Prometheus text). */
  readonly raw?: { readonly contentType: string; readonly text: string };
}

export interface ResponseSpec {
  readonly description: string;
  readonly schema?: z.ZodType;
  readonly contentType?: string;
}

export interface HandlerContext<B, Q, P> {
  readonly body: B;
  readonly query: Q;
  readonly params: P;
  /** The body's bytes as they came, for endpoints with `keepRawBody` (a signed webhook); else undefined. */
  readonly rawBody: Buffer | undefined;
  readonly req: HttpRequest;
  readonly res: HttpResponse;
}

/**
 * One endpoint: its schemas validate the request (and, outside production, the response) and generate its
 * OpenAPI entry, so the document cannot drift from the code.
 */
export interface Endpoint<B = unknown, Q = unknown, P = unknown> {
  readonly method: Method;
  /** Express syntax: `/v1/pocs/:id`. */
  readonly path: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  /**
   * Needs a caller (a bearer access token), optionally in one of some roles: gives the endpoint the
   * authentication middleware, its OpenAPI security entry, and its 401 (and 403) responses.
   */
  readonly auth?: EndpointAuth;
  /** Middlewares run after authentication, before the body is read and validated. */
  readonly before?: readonly Middleware[];
  readonly body?: z.ZodType<B>;
  /** Accept `application/x-www-form-urlencoded` besides JSON (OAuth token requests). */
  readonly acceptsForm?: boolean;
  /** Keep the body's bytes for the handler (`rawBody`): a signature covers the bytes, not the parsed JSON. */
  readonly keepRawBody?: boolean;
  /** Overrides the default request body limit for this endpoint only. */
  readonly bodyLimitBytes?: number;
  readonly query?: z.ZodType<Q>;
  /**
   * Keep validated queries by their text (see `queryReader`): for hot searches whose validation depends on
   * nothing but the text. Never for queries that carry secrets (they would stay in memory).
   */
  readonly cacheQueries?: boolean;
  readonly params?: z.ZodType<P>;
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  readonly handler: (ctx: HandlerContext<B, Q, P>) => Promise<Reply> | Reply;
}

/** An endpoint of any request types, as tables of endpoints hold them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyEndpoint = Endpoint<any, any, any>;

export function defineEndpoint<B = undefined, Q = undefined, P = undefined>(
  endpoint: Endpoint<B, Q, P>,
): Endpoint<B, Q, P> {
  return endpoint;
}

export const reply = (status: number, body?: unknown, headers?: Record<string, string>): Reply =>
  headers ? { status, body, headers } : { status, body };

/**
 * The path of the first string in a parsed JSON body that is not well-formed Unicode (a lone UTF-16
 * surrogate, which JSON's `\ud800` escapes can carry): such text cannot be stored and read back the same
 * by every store and client, so no endpoint accepts it.
 */
function illFormedPath(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'string') return value.isWellFormed() ? undefined : path || '(body)';
  if (typeof value !== 'object' || value === null || depth > 64) return undefined;
  for (const [key, inner] of Object.entries(value)) {
    const found = illFormedPath(inner, path ? `${path}.${key}` : key, depth + 1);
    if (found !== undefined) return found;
    if (!key.isWellFormed()) return path ? `${path}.${key}` : key;
  }
  return undefined;
}

function parsePart<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return undefined as T;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new AppError('HTTP.VALIDATION', `The request ${where} is invalid.`, {
    kind: 'INVALID',
    fields: fieldErrors(result.error, where === 'body' ? '' : where),
  });
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** A conditional GET or HEAD the response answers unchanged: 304 without a body (as Express's `req.fresh`). */
function isFresh(req: HttpRequest, res: HttpResponse): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (req.headers['if-none-match'] === undefined && req.headers['if-modified-since'] === undefined)
    return false;
  const status = res.statusCode;
  if ((status < 200 || status >= 300) && status !== 304) return false;
  return fresh(req.headers, {
    etag: res.getHeader('ETag') as string | undefined,
    'last-modified': res.getHeader('Last-Modified') as string | undefined,
  });
}

/**
 * Sends a body, text or bytes, with its length: a string leaves in the same write as the headers, bytes
 * as they are. HEAD gets the headers only (Node drops the body), a fresh conditional GET a bare 304.
 */
function sendBody(req: HttpRequest, res: HttpResponse, contentType: string, body: string | Buffer): void {
  if (isFresh(req, res)) {
    res.statusCode = 304;
    res.end();
    return;
  }
  const noBody = res.statusCode === 204 || res.statusCode === 304;
  if (!noBody) {
    if (res.getHeader('Content-Type') === undefined) res.setHeader('Content-Type', contentType);
    res.setHeader('Content-Length', typeof body === 'string' ? Buffer.byteLength(body) : body.length);
  }
  res.end(noBody ? undefined : body);
}

const withCharset = (type: string) => (/;\s*charset=/i.test(type) ? type : `${type}; charset=utf-8`);

function parseBody<T>(schema: z.ZodType<T> | undefined, value: unknown): T {
  if (!schema) return undefined as T;
  const bad = illFormedPath(value, '');
  if (bad !== undefined) {
    throw new AppError('HTTP.VALIDATION', 'The request body is invalid.', {
      kind: 'INVALID',
      fields: [{ path: bad, message: 'Must be well-formed Unicode (no lone surrogate)' }],
    });
  }
  return parsePart(schema, value, 'body');
}

/** The endpoint's documented responses, with those its `auth` option adds. */
export const responsesOf = (endpoint: AnyEndpoint): Readonly<Record<number, ResponseSpec>> => ({
  ...authResponses(endpoint.auth),
  ...endpoint.responses,
});

function sendReply(req: HttpRequest, res: HttpResponse, endpoint: AnyEndpoint, out: Reply, strict: boolean) {
  const spec = endpoint.responses[out.status];
  if (strict) {
    if (!spec)
      throw new Error(`${endpoint.method} ${endpoint.path} answered undocumented status ${out.status}`);
    if (spec.schema) {
      const checked = spec.schema.safeParse(out.json === undefined ? out.body : JSON.parse(String(out.json)));
      if (!checked.success) {
        throw new Error(
          `${endpoint.method} ${endpoint.path} answered a body its schema refuses: ${JSON.stringify(fieldErrors(checked.error))}`,
        );
      }
    }
  }
  if (out.headers) for (const [k, v] of Object.entries(out.headers)) res.setHeader(k, v);
  res.statusCode = out.status;
  if (out.raw) sendBody(req, res, withCharset(out.raw.contentType), out.raw.text);
  else if (out.json !== undefined) sendBody(req, res, JSON_TYPE, out.json);
  else if (out.body === undefined) res.end();
  else sendBody(req, res, JSON_TYPE, JSON.stringify(out.body) ?? 'null');
}

const FORM = 'application/x-www-form-urlencoded';

/** Parses the body of the content types the endpoint accepts; anything else carrying a body is a 415. */
function bodyParsers(
  endpoint: AnyEndpoint,
  defaultLimit: number,
  rawBodies: WeakMap<HttpRequest, Buffer>,
): Middleware[] {
  if (!endpoint.body) return [];
  const limit = endpoint.bodyLimitBytes ?? defaultLimit;
  const accepted = endpoint.acceptsForm ? ['application/json', FORM] : ['application/json'];
  const gate: Middleware = (req, _res, next) => {
    const hasBody =
      req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (hasBody && !typeIs(req, accepted)) {
      next(
        new AppError('HTTP.UNSUPPORTED_MEDIA_TYPE', `The request body must be ${accepted.join(' or ')}.`, {
          kind: 'UNSUPPORTED_MEDIA',
        }),
      );
      return;
    }
    next();
  };
  const verify = endpoint.keepRawBody
    ? (req: HttpRequest, _res: HttpResponse, buf: Buffer) => void rawBodies.set(req, buf)
    : undefined;
  const parsers: Middleware[] = [
    gate,
    bodyParser.json({ limit, ...(verify ? { verify } : {}) }) as Middleware,
  ];
  if (endpoint.acceptsForm)
    parsers.push(bodyParser.urlencoded({ extended: false, limit, parameterLimit: 50 }) as Middleware);
  return parsers;
}

/** Queries kept validated per endpoint: a mobile app asks the same few searches over and over. */
const QUERY_CACHE_ENTRIES = 1000;

/**
 * The endpoint's query, parsed as Express does (node:querystring) and validated, remembered by its raw text:
 * parsing and validating cost more than the rest of a cached search. Results are frozen, being shared by
 * requests; failures are not kept (each throws its own field errors).
 */
function queryReader(schema: z.ZodType | undefined, cache: boolean): (raw: string) => unknown {
  if (!schema) return () => undefined;
  if (!cache) return (raw) => parsePart(schema, parseQuery(raw), 'query');
  const known = new Map<string, unknown>();
  return (raw) => {
    const hit = known.get(raw);
    if (hit !== undefined) return hit;
    const query = deepFreeze(parsePart(schema, parseQuery(raw), 'query'));
    if (known.size >= QUERY_CACHE_ENTRIES) known.delete(known.keys().next().value as string);
    known.set(raw, query);
    return query;
  };
}

/** Runs connect-style middlewares in order; `done` gets the first error, or nothing once all called next(). */
function runChain(
  chain: readonly Middleware[],
  req: HttpRequest,
  res: HttpResponse,
  done: NextFunction,
): void {
  let i = 0;
  const next: NextFunction = (error) => {
    if (error !== undefined && error !== null) {
      done(error);
      return;
    }
    const middleware = chain[i++];
    if (!middleware) {
      done();
      return;
    }
    try {
      middleware(req, res, next);
    } catch (thrown) {
      done(thrown);
    }
  };
  next();
}

/** Serves one matched request of an endpoint; failures go to `fail` (the problem+json handler). */
export type EndpointHandler = (
  req: HttpRequest,
  res: HttpResponse,
  params: Readonly<Record<string, string>>,
  fail: (error: unknown) => void,
) => void;

/**
 * An endpoint's pipeline: its `before` middlewares (e.g. authentication), its body parsers, then params,
 * query and body validated by its schemas, its handler, and the reply. With `strictResponses` (every
 * environment but production) a reply that its documented schema refuses fails loudly, which keeps
 * /openapi.json honest under test.
 */
export function endpointHandler(
  endpoint: AnyEndpoint,
  options: { readonly strictResponses: boolean; readonly bodyLimitBytes: number; readonly auth?: Auth },
): EndpointHandler {
  const authenticate: Middleware[] = [];
  // The bytes of requests in flight that keep them (`keepRawBody`), without adding fields to Node's request.
  const rawBodies = new WeakMap<HttpRequest, Buffer>();
  if (endpoint.auth) {
    if (!options.auth)
      throw new Error(`${endpoint.method} ${endpoint.path} needs auth, but no module provides it`);
    authenticate.push(authMiddleware(options.auth, endpoint.auth));
  }
  const chain = [
    ...authenticate,
    ...(endpoint.before ?? []),
    ...bodyParsers(endpoint, options.bodyLimitBytes, rawBodies),
  ];
  const readQuery = queryReader(endpoint.query, endpoint.cacheQueries === true);
  const run = async (req: HttpRequest, res: HttpResponse, params: Readonly<Record<string, string>>) => {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const ctx: HandlerContext<unknown, unknown, unknown> = {
      params: parsePart(endpoint.params, params, 'params'),
      query: readQuery(q < 0 ? '' : url.slice(q + 1)),
      body: parseBody(endpoint.body, req.body ?? {}),
      rawBody: rawBodies.get(req),
      req,
      res,
    };
    sendReply(req, res, endpoint, await endpoint.handler(ctx), options.strictResponses);
  };
  return (req, res, params, fail) => {
    const go = (error?: unknown) => {
      if (error !== undefined) fail(error);
      else run(req, res, params).catch(fail);
    };
    if (chain.length) runChain(chain, req, res, go);
    else go();
  };
}
