import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
  type Router,
} from 'express';
import type { z } from 'zod';
import { AppError } from '../lib/errors.ts';
import { fieldErrors } from './problem.ts';

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
  readonly req: Request;
  readonly res: Response;
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
  /** Middlewares run before validation, e.g. authentication. */
  readonly before?: readonly RequestHandler[];
  /** Marks the endpoint as needing a bearer token in the OpenAPI document. */
  readonly auth?: boolean;
  readonly body?: z.ZodType<B>;
  /** Accept `application/x-www-form-urlencoded` besides JSON (OAuth token requests). */
  readonly acceptsForm?: boolean;
  /** Overrides the default request body limit for this endpoint only. */
  readonly bodyLimitBytes?: number;
  readonly query?: z.ZodType<Q>;
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

/**
 * A JSON body with the headers res.json gives it, without res.send's work per request (it copies every
 * string over 1000 characters into a new Buffer before Node encodes it again): a string leaves in the
 * same write as the headers, bytes are sent as they are. The cases res.send treats specially (HEAD, a
 * conditional GET it answers 304, a preset content type or transfer encoding, statuses without a body)
 * still go through it.
 */
function sendJson(req: Request, res: Response, json: string | Buffer): void {
  const plain =
    req.method !== 'HEAD' &&
    res.statusCode !== 204 &&
    res.statusCode !== 205 &&
    res.statusCode !== 304 &&
    res.getHeader('Content-Type') === undefined &&
    res.getHeader('Transfer-Encoding') === undefined &&
    !req.fresh;
  if (!plain) {
    if (res.getHeader('Content-Type') === undefined) res.setHeader('Content-Type', JSON_TYPE);
    res.send(json);
    return;
  }
  res.setHeader('Content-Type', JSON_TYPE);
  res.setHeader('Content-Length', typeof json === 'string' ? Buffer.byteLength(json) : json.length);
  res.end(json);
}

function sendReply(req: Request, res: Response, endpoint: AnyEndpoint, out: Reply, strict: boolean) {
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
  for (const [k, v] of Object.entries(out.headers ?? {})) res.setHeader(k, v);
  res.status(out.status);
  if (out.raw) res.type(out.raw.contentType).send(out.raw.text);
  else if (out.json !== undefined) sendJson(req, res, out.json);
  else if (out.body === undefined) res.end();
  else {
    const json = JSON.stringify(out.body) as string | undefined;
    if (json === undefined) res.json(out.body);
    else sendJson(req, res, json);
  }
}

const FORM = 'application/x-www-form-urlencoded';

/** Parses the body of the content types the endpoint accepts; anything else carrying a body is a 415. */
function bodyParsers(endpoint: AnyEndpoint, defaultLimit: number): RequestHandler[] {
  if (!endpoint.body) return [];
  const limit = endpoint.bodyLimitBytes ?? defaultLimit;
  const accepted = endpoint.acceptsForm ? ['application/json', FORM] : ['application/json'];
  const gate: RequestHandler = (req, _res, next) => {
    const hasBody =
      req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (hasBody && !req.is(accepted)) {
      next(
        new AppError('HTTP.UNSUPPORTED_MEDIA_TYPE', `The request body must be ${accepted.join(' or ')}.`, {
          kind: 'UNSUPPORTED_MEDIA',
        }),
      );
      return;
    }
    next();
  };
  const parsers = [gate, express.json({ limit })];
  if (endpoint.acceptsForm) parsers.push(express.urlencoded({ extended: false, limit, parameterLimit: 50 }));
  return parsers;
}

/**
 * Mounts endpoints on a router. With `strictResponses` (every environment but production) a reply that its
 * documented schema refuses fails loudly, which keeps /openapi.json honest under test.
 */
export function mountEndpoints(
  router: Router,
  endpoints: readonly AnyEndpoint[],
  options: { strictResponses: boolean; bodyLimitBytes: number },
): void {
  for (const endpoint of endpoints) {
    const run = async (req: Request, res: Response, next: NextFunction) => {
      try {
        const ctx = {
          params: parsePart(endpoint.params, req.params, 'params'),
          query: parsePart(endpoint.query, req.query, 'query'),
          body: parsePart(endpoint.body, req.body ?? {}, 'body'),
          req,
          res,
        };
        const out = await endpoint.handler(ctx as HandlerContext<unknown, unknown, unknown>);
        sendReply(req, res, endpoint, out, options.strictResponses);
      } catch (error) {
        next(error);
      }
    };
    router[endpoint.method](
      endpoint.path,
      ...(endpoint.before ?? []),
      ...bodyParsers(endpoint, options.bodyLimitBytes),
      run,
    );
  }
}
