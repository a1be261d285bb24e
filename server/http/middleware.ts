import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { REQUEST_ID_HEADER } from '../../protocol/http.ts';
import { plainLineLogger, type Logger } from '../lib/log.ts';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const REQUEST_ID_KEY = REQUEST_ID_HEADER.toLowerCase();
const CONTEXT = Symbol('dojo.requestLog');

/** What a request's log lines carry; its child logger exists only once something asked for `req.log`. */
interface LogContext {
  readonly base: Logger;
  bindings: Readonly<Record<string, string>>;
  child: Logger | undefined;
}

type WithContext = Request & { [CONTEXT]?: LogContext };

/**
 * `req.log`, made on first use: most requests only write their access line, which needs no child logger
 * (building one per request costs more than the line itself). Assigning `req.log` replaces it.
 */
const LOG_PROPERTY: PropertyDescriptor = {
  configurable: true,
  enumerable: true,
  get(this: WithContext): Logger | undefined {
    const ctx = this[CONTEXT];
    return ctx ? (ctx.child ??= ctx.base.child(ctx.bindings)) : undefined;
  },
  set(this: WithContext, value: Logger) {
    const ctx = this[CONTEXT];
    if (ctx) ctx.child = value;
    else Object.defineProperty(this, 'log', { value, writable: true, enumerable: true, configurable: true });
  },
};

/** Adds fields (e.g. tenantId, userId once authenticated) to every later log line of the request. */
export function bindLog(req: Request, bindings: Readonly<Record<string, string>>): void {
  const ctx = (req as WithContext)[CONTEXT];
  if (!ctx) return;
  ctx.bindings = { ...ctx.bindings, ...bindings };
  if (ctx.child) ctx.child = ctx.child.child(bindings);
}

const pathOf = (url: string): string => {
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
};

/** Takes a well-formed X-Request-Id from the caller or makes one; every log line of the request carries it. */
export function requestContext(logger: Logger): RequestHandler {
  const access = plainLineLogger(logger);
  // `log` is an accessor of the request prototype (Express gives each app its own): defining it once there
  // costs nothing per request, where defining it on every request reshapes every request object.
  const withLog = new WeakSet<object>();
  return (req, res, next) => {
    const proto = Object.getPrototypeOf(req) as object;
    if (!withLog.has(proto)) {
      Object.defineProperty(proto, 'log', LOG_PROPERTY);
      withLog.add(proto);
    }
    const incoming = req.headers[REQUEST_ID_KEY];
    const requestId = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader(REQUEST_ID_HEADER, requestId);
    const ctx: LogContext = { base: logger, bindings: { requestId }, child: undefined };
    (req as WithContext)[CONTEXT] = ctx;
    (req as Request & { requestId: string }).requestId = requestId;
    const started = performance.now();
    res.on('finish', () => {
      const log = ctx.child ?? logger;
      if (!log.isLevelEnabled('info')) return;
      const tenantId = (res.locals as { tenantId?: string }).tenantId;
      const line = {
        method: req.method,
        path: pathOf(req.originalUrl),
        status: res.statusCode,
        ms: Math.round((performance.now() - started) * 1000) / 1000,
        ...(tenantId ? { tenantId } : {}),
      };
      // Without a child, the bindings go in the line itself: the same fields, no logger built.
      if (ctx.child) ctx.child.info(line, 'request');
      else access.info({ ...ctx.bindings, ...line }, 'request');
    });
    next();
  };
}

/** Conservative headers for a JSON API; the web client, when served, sets its own CSP. */
export function securityHeaders(options: { https: boolean }): RequestHandler {
  return (_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
    if (options.https) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    next();
  };
}
