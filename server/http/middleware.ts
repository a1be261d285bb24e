import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { REQUEST_ID_HEADER } from '../../protocol/http.ts';
import { plainLineWriter, type Logger } from '../lib/log.ts';
import type { Metrics } from './metrics.ts';
import type { HttpResponse } from './types.ts';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const REQUEST_ID_KEY = REQUEST_ID_HEADER.toLowerCase();
const SCOPE = Symbol('dojo.request');

/** What the tracker keeps of a request: its log fields, its child logger once asked for, its route. */
interface RequestScope {
  /** The client's address, as far as the trusted proxies tell (see `clientAddress`). */
  readonly client: string;
  readonly base: Logger;
  bindings: Readonly<Record<string, string>>;
  child: Logger | undefined;
  /** The route template that answered it (the metrics label), once one matched. */
  route: string | undefined;
}

type Scoped = IncomingMessage & { [SCOPE]?: RequestScope };

/**
 * The request's logger, carrying its request id and whatever `bindLog` added. Made on first use: most
 * requests only write their access line, which needs no child logger (building one costs more than the line).
 */
export function requestLog(req: IncomingMessage): Logger | undefined {
  const scope = (req as Scoped)[SCOPE];
  return scope ? (scope.child ??= scope.base.child(scope.bindings)) : undefined;
}

/** Adds fields (e.g. tenantId, userId once authenticated) to every later log line of the request. */
export function bindLog(req: IncomingMessage, bindings: Readonly<Record<string, string>>): void {
  const scope = (req as Scoped)[SCOPE];
  if (!scope) return;
  scope.bindings = { ...scope.bindings, ...bindings };
  if (scope.child) scope.child = scope.child.child(bindings);
}

/** Names the route template that answers the request, for its metrics (never the raw path: ids would explode cardinality). */
export function setRoute(req: IncomingMessage, route: string): void {
  const scope = (req as Scoped)[SCOPE];
  if (scope) scope.route = route;
}

/**
 * The client's address (the throttling key, in logs): the peer's, or behind `trustProxy` proxies the
 * address the outermost trusted one saw, read from `X-Forwarded-For` right to left. Entries left of it
 * are the client's own claims and are never believed, so a spoofed header from an untrusted peer changes
 * nothing.
 */
export function resolveClientAddress(req: IncomingMessage, trustProxy: number): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (trustProxy === 0) return peer;
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  // [client claims…, what proxy 1 saw …, peer]: each trusted hop vouches for the entry left of it.
  const chain = [...forwarded, peer];
  let address = peer;
  for (let hop = 1; hop <= trustProxy && hop < chain.length; hop++) {
    const candidate = chain[chain.length - 1 - hop] as string;
    if (isIP(candidate) === 0) break;
    address = candidate;
  }
  return address;
}

/** The client address the tracker resolved for this request (the peer's if it was not tracked). */
export const clientAddress = (req: IncomingMessage): string =>
  (req as Scoped)[SCOPE]?.client ?? req.socket.remoteAddress ?? 'unknown';

const pathOf = (url: string): string => {
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
};

export interface RequestTrackerOptions {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly https: boolean;
  /** Proxy hops whose `X-Forwarded-For` is believed (TRUST_PROXY). */
  readonly trustProxy: number;
}

/**
 * What every request gets before anything answers it: an X-Request-Id (the caller's if well-formed),
 * conservative headers for a JSON API, `res.locals`, and one `finish` listener that writes the access line
 * and the request metrics.
 */
export function requestTracker(
  options: RequestTrackerOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { logger, metrics } = options;
  const accessLine = plainLineWriter(logger);
  const headers: [string, string][] = [
    ['X-Content-Type-Options', 'nosniff'],
    ['X-Frame-Options', 'DENY'],
    ['Referrer-Policy', 'no-referrer'],
    ['Cross-Origin-Opener-Policy', 'same-origin'],
    ['Cross-Origin-Resource-Policy', 'same-origin'],
    ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
  ];
  if (options.https) headers.push(['Strict-Transport-Security', 'max-age=31536000; includeSubDomains']);
  return (req, res) => {
    const incoming = req.headers[REQUEST_ID_KEY];
    const requestId = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader(REQUEST_ID_HEADER, requestId);
    for (const [name, value] of headers) res.setHeader(name, value);
    const locals = ((res as HttpResponse).locals ??= {});
    const scope: RequestScope = {
      client: resolveClientAddress(req, options.trustProxy),
      base: logger,
      bindings: { requestId },
      child: undefined,
      route: undefined,
    };
    (req as Scoped)[SCOPE] = scope;
    const url = req.url ?? '/';
    const started = performance.now();
    res.once('finish', () => {
      const ms = performance.now() - started;
      const tenantId = locals.tenantId as string | undefined;
      const method = req.method ?? 'GET';
      metrics.observeRequest(method, scope.route ?? 'unmatched', res.statusCode, ms / 1000);
      const log = scope.child ?? logger;
      if (!log.isLevelEnabled('info')) return;
      const line: Record<string, string | number> = {
        method,
        path: pathOf(url),
        status: res.statusCode,
        ms: Math.round(ms * 1000) / 1000,
        ...(tenantId ? { tenantId } : {}),
      };
      // Without a child, the bindings go in the line itself: the same fields, no logger built.
      if (scope.child) scope.child.info(line, 'request');
      else accessLine({ ...scope.bindings, ...line }, 'request');
    });
  };
}
