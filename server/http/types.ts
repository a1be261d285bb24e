import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The request and response the endpoint pipeline works on: Node's own objects, with what the pipeline adds.
 * Express's objects are a superset, so middlewares written against these also run under Express.
 */
export interface HttpRequest extends IncomingMessage {
  /** Set by the body parsers, for endpoints that take a body. */
  body?: unknown;
}

export interface HttpResponse extends ServerResponse {
  /** Per-request values shared by middlewares and handlers (e.g. the authenticated caller). */
  locals: Record<string, unknown>;
}

export type NextFunction = (error?: unknown) => void;

/** A connect-style middleware: calls `next()` to go on, `next(error)` to fail the request. */
export type Middleware = (req: HttpRequest, res: HttpResponse, next: NextFunction) => void;

/** What a Node HTTP server calls for each request. */
export type HttpListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * A route outside the endpoint table (a file download, a stream): gets Node's objects and the route's
 * decoded params (`*` for a wildcard's rest); what it throws leaves as problem+json.
 */
export interface PlainRoute {
  readonly method: 'GET' | 'POST';
  /** find-my-way syntax: `/files/*`. */
  readonly path: string;
  readonly handler: (
    req: HttpRequest,
    res: HttpResponse,
    params: Readonly<Record<string, string>>,
  ) => Promise<void>;
}
