import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { z } from 'zod';
import { PROBLEM_CONTENT_TYPE } from '../../protocol/http.ts';
import { AppError, type ErrorKind, type FieldError } from '../lib/errors.ts';
import type { Logger } from '../lib/log.ts';
import { requestLog } from './middleware.ts';

/** The one mapping from error kinds to HTTP statuses. */
export const STATUS_BY_KIND: Readonly<Record<ErrorKind, number>> = {
  INVALID: 400,
  UNAUTHENTICATED: 401,
  PAYMENT_DECLINED: 402,
  PAYMENT_REQUIRED: 402,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TOO_LARGE: 413,
  UNSUPPORTED_MEDIA: 415,
  THROTTLED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  TIMEOUT: 503,
};

const TITLES: Readonly<Record<number, string>> = {
  400: 'Invalid request',
  401: 'Authentication required',
  402: 'Payment declined',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  429: 'Too many requests',
  431: 'Request header fields too large',
  500: 'Internal server error',
  503: 'Service unavailable',
};

/** The problem+json body as a schema, for documenting error responses. */
export const problemBodySchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string().describe('Namespaced error code, e.g. POC.NOT_FOUND'),
  instance: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

/** Documents an error status of an endpoint (its body is always problem+json). */
export const errorResponse = (description: string) => ({
  description,
  schema: problemBodySchema,
  contentType: PROBLEM_CONTENT_TYPE,
});

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  errors?: FieldError[];
}

/** Zod issues as `{path, message}` with dotted paths; unknown keys are reported under their own name. */
export function fieldErrors(error: z.ZodError, prefix = ''): FieldError[] {
  const join = (parts: readonly PropertyKey[]) => [prefix, ...parts.map(String)].filter(Boolean).join('.');
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((k) => ({ path: join([...issue.path, k]), message: 'Unknown field' }))
      : [{ path: join(issue.path) || '(body)', message: issue.message }],
  );
}

export function sendProblem(res: ServerResponse, problem: Problem, retryAfterSeconds?: number): void {
  if (retryAfterSeconds !== undefined)
    res.setHeader('Retry-After', String(Math.max(1, Math.ceil(retryAfterSeconds))));
  const body = JSON.stringify(problem);
  res.statusCode = problem.status;
  res.setHeader('Content-Type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

/**
 * A whole HTTP/1.1 response carrying a problem, for sockets no ServerResponse exists for (a refused
 * WebSocket upgrade, a request Node's parser rejected); the connection closes after it.
 */
export function rawProblemResponse(status: number, code: string, detail: string): string {
  const body = JSON.stringify(problemFor(status, code, detail));
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
    `Content-Type: ${PROBLEM_CONTENT_TYPE}; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
    `X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`
  );
}

function problemFor(status: number, code: string, detail: string, errors?: FieldError[]): Problem {
  const problem: Problem = {
    type: `https://dojo.dev/problems/${code.toLowerCase().replace(/[._]/g, '-')}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
  };
  if (errors && errors.length) problem.errors = errors;
  return problem;
}

export function problemFromAppError(error: AppError): Problem {
  const status = STATUS_BY_KIND[error.kind];
  // Server-side failures keep their cause in the logs only: no driver message reaches a client.
  const detail =
    status >= 500 ? 'The service could not complete the request; try again later.' : error.message;
  const problem = problemFor(status, error.code, detail, [...error.fields]);
  if (error.kind === 'PAYMENT_REQUIRED') problem.title = 'Payment required';
  return problem;
}

interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
}

/** Body-parser and other http-errors style failures, by their documented `type`. */
function problemFromHttpError(error: BodyParserError): Problem | undefined {
  switch (error.type) {
    case 'entity.too.large':
      return problemFor(413, 'HTTP.BODY_TOO_LARGE', 'The request body exceeds the size limit.');
    case 'entity.parse.failed':
      return problemFor(400, 'HTTP.INVALID_JSON', 'The request body is not valid JSON.', [
        { path: '(body)', message: 'Invalid JSON' },
      ]);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return problemFor(415, 'HTTP.UNSUPPORTED_ENCODING', 'The request body encoding is not supported.');
    case 'request.aborted':
      return problemFor(400, 'HTTP.ABORTED', 'The request was aborted.');
    default:
      if (error.expose && typeof error.status === 'number' && error.status >= 400 && error.status < 500) {
        return problemFor(error.status, 'HTTP.BAD_REQUEST', 'The request could not be processed.');
      }
      return undefined;
  }
}

export function problemFromUnknown(error: unknown): {
  problem: Problem;
  retryAfter?: number;
  internal: boolean;
} {
  if (error instanceof AppError) {
    const problem = problemFromAppError(error);
    return { problem, retryAfter: error.retryAfterSeconds, internal: problem.status >= 500 };
  }
  if (error instanceof z.ZodError) {
    return {
      problem: problemFor(400, 'HTTP.VALIDATION', 'The request is invalid.', fieldErrors(error)),
      internal: false,
    };
  }
  if (typeof error === 'object' && error !== null) {
    const http = problemFromHttpError(error as BodyParserError);
    if (http) return { problem: http, internal: false };
  }
  return {
    problem: problemFor(500, 'INTERNAL', 'An unexpected error occurred; it has been logged.'),
    internal: true,
  };
}

export function notFoundProblem(method: string, path: string): Problem {
  return problemFor(404, 'HTTP.ROUTE_NOT_FOUND', `No route for ${method} ${path}.`);
}

/**
 * The 405 of a method no route serves at a path that others do, with the `Allow` header RFC 9110 asks for;
 * an OPTIONS request there is answered 204 with the same header.
 */
export function sendMethodNotAllowed(
  req: IncomingMessage,
  res: ServerResponse,
  allowed: readonly string[],
): void {
  const allow = [...allowed, 'OPTIONS'].join(', ');
  res.setHeader('Allow', allow);
  if (req.method === 'OPTIONS') {
    res.statusCode = 204;
    res.end();
    return;
  }
  const path = requestPath(req);
  sendProblem(res, {
    ...problemFor(
      405,
      'HTTP.METHOD_NOT_ALLOWED',
      `${req.method ?? 'GET'} is not allowed on ${path}; allowed: ${allow}.`,
    ),
    instance: path,
  });
}

/** The path a request asked for (before any router rewrote `req.url`), without its query. */
const requestPath = (req: IncomingMessage): string =>
  ((req as { originalUrl?: string }).originalUrl ?? req.url ?? '/').split('?')[0] ?? '/';

/** The 404 of a request no route answers. */
export function sendNotFound(req: IncomingMessage, res: ServerResponse): void {
  const path = requestPath(req);
  sendProblem(res, { ...notFoundProblem(req.method ?? 'GET', path), instance: path });
}

/** The one error handler: every failure leaves as problem+json, never as a stack trace. */
export function sendError(error: unknown, req: IncomingMessage, res: ServerResponse, logger: Logger): void {
  const { problem, retryAfter, internal } = problemFromUnknown(error);
  problem.instance = requestPath(req);
  const log = () => requestLog(req) ?? logger;
  const expected = error instanceof AppError && error.kind === 'UNAVAILABLE';
  if (internal && expected) log().warn({ err: error, code: problem.code }, 'request refused: unavailable');
  else if (internal) log().error({ err: error, code: problem.code }, 'request failed');
  else if (logger.isLevelEnabled('debug'))
    log().debug({ code: problem.code, status: problem.status }, 'request refused');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendProblem(res, problem, retryAfter);
}

/**
 * What Node's HTTP parser refuses (a header section over its limit, a malformed request line) leaves as a
 * problem too, not as a bare status line.
 */
export function clientErrorHandler(): (error: Error & { code?: string }, socket: Duplex) => void {
  return (error, socket) => {
    if (!socket.writable || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    socket.end(
      tooLarge
        ? rawProblemResponse(431, 'HTTP.HEADERS_TOO_LARGE', 'The request headers exceed the size limit.')
        : rawProblemResponse(400, 'HTTP.BAD_REQUEST', 'The request could not be parsed.'),
    );
  };
}
