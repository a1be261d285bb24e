import FindMyWay, { type HTTPMethod } from 'find-my-way';
import type { Auth } from '../capabilities.ts';
import { AppError } from '../lib/errors.ts';
import type { Logger } from '../lib/log.ts';
import { CorsPolicy } from './cors.ts';
import { endpointHandler, type AnyEndpoint } from './endpoint.ts';
import type { Metrics } from './metrics.ts';
import { requestTracker, setRoute } from './middleware.ts';
import { sendError, sendMethodNotAllowed, sendNotFound } from './problem.ts';
import type { HttpListener, HttpRequest, HttpResponse, PlainRoute } from './types.ts';

export interface HttpAppOptions {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly endpoints: readonly AnyEndpoint[];
  /** Routes outside the endpoint table (signed file downloads). */
  readonly plainRoutes?: readonly PlainRoute[];
  readonly bodyLimitBytes: number;
  readonly strictResponses: boolean;
  readonly https: boolean;
  readonly corsOrigins: readonly string[];
  readonly trustProxy: number;
  /** Verifies the callers of endpoints with `auth`. */
  readonly auth?: Auth;
  /** Answers a GET/HEAD no route matched (the web app, `./web.ts`); returns false to leave it a 404. */
  readonly fallback?: (req: HttpRequest, res: HttpResponse) => boolean;
}

type Handler = (req: HttpRequest, res: HttpResponse, params: Readonly<Record<string, string>>) => void;
/** What each route keeps with find-my-way: its template (the metrics label). */
interface RouteStore {
  readonly template: string;
}

const METHODS: readonly HTTPMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

const badParams = () =>
  new AppError('HTTP.VALIDATION', 'The request path is invalid.', {
    kind: 'INVALID',
    fields: [{ path: 'params', message: 'Malformed percent-encoding' }],
  });

/**
 * The server's one front door for HTTP requests: every request gets its id, security headers, access line
 * and metrics, and its CORS answer from one policy; it is routed once by find-my-way (static segments
 * before parameters whatever the declaration order, case-insensitive, one optional trailing slash, HEAD
 * served by GET routes, a conflicting route refused at boot). A known path asked with another method is a
 * 405 with `Allow` (OPTIONS there: 204 with `Allow`); an unknown path a 404 problem.
 */
export function createHttpApp(options: HttpAppOptions): HttpListener {
  const { logger } = options;
  const track = requestTracker({
    logger,
    metrics: options.metrics,
    https: options.https,
    trustProxy: options.trustProxy,
  });
  const cors = new CorsPolicy(options.corsOrigins);
  const fail = (req: HttpRequest, res: HttpResponse) => (error: unknown) =>
    sendError(error, req, res, logger);
  const router = FindMyWay<FindMyWay.HTTPVersion.V1>({
    caseSensitive: false,
    ignoreTrailingSlash: true,
    maxParamLength: 2048,
    onBadUrl: (_path, req, res) => fail(req as HttpRequest, res as HttpResponse)(badParams()),
    defaultRoute: (req, res) => {
      const allowed = allowedMethods(req.url ?? '/');
      if (allowed.length) sendMethodNotAllowed(req, res, allowed);
      else if (!options.fallback?.(req as HttpRequest, res as HttpResponse)) sendNotFound(req, res);
    },
  });
  const add = (method: HTTPMethod, path: string, handler: Handler) => {
    const store: RouteStore = { template: path };
    router.on(
      method,
      path,
      (req, res, params, route) => {
        setRoute(req, (route as RouteStore).template);
        handler(req as HttpRequest, res as HttpResponse, params as Record<string, string>);
      },
      store,
    );
  };
  for (const endpoint of options.endpoints) {
    const handle = endpointHandler(endpoint, {
      strictResponses: options.strictResponses,
      bodyLimitBytes: options.bodyLimitBytes,
      ...(options.auth ? { auth: options.auth } : {}),
    });
    const method = endpoint.method.toUpperCase() as HTTPMethod;
    const serve: Handler = (req, res, params) => handle(req, res, params, fail(req, res));
    add(method, endpoint.path, serve);
    // Node drops a HEAD response's body by itself: a GET route answers HEAD as it is.
    if (method === 'GET') add('HEAD', endpoint.path, serve);
  }
  for (const route of options.plainRoutes ?? []) {
    const serve: Handler = (req, res, params) => void route.handler(req, res, params).catch(fail(req, res));
    add(route.method, route.path, serve);
    if (route.method === 'GET') add('HEAD', route.path, serve);
  }

  /** The methods some route serves at this URL's path (HEAD wherever GET is). */
  function allowedMethods(url: string): string[] {
    const path = url.split('?')[0] ?? '/';
    // A route's match carries its store; the stand-in find-my-way returns for a malformed URL does not.
    return METHODS.filter((method) => Boolean(router.find(method, path)?.store));
  }

  return (request, response) => {
    const req = request as HttpRequest;
    const res = response as HttpResponse;
    track(req, res);
    cors.apply(req, res);
    try {
      if (req.method === 'OPTIONS') {
        const allowed = allowedMethods(req.url ?? '/');
        if (cors.preflight(req, res, allowed)) return;
        if (allowed.length) sendMethodNotAllowed(req, res, allowed);
        else sendNotFound(req, res);
        return;
      }
      router.lookup(req, res);
    } catch (error) {
      fail(req, res)(error);
    }
  };
}
