import express, { type RequestHandler } from 'express';
import type { Logger } from '../lib/log.ts';
import { endpointHandler, type AnyEndpoint, type EndpointHandler } from './endpoint.ts';
import type { Metrics } from './metrics.ts';
import { requestTracker, setRoute } from './middleware.ts';
import { problemHandler, sendError, sendMethodNotAllowed, sendNotFound } from './problem.ts';
import { Router } from './router.ts';
import type { HttpListener, HttpRequest, HttpResponse } from './types.ts';

export interface HttpAppOptions {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly endpoints: readonly AnyEndpoint[];
  /** Plain Express handlers for paths the endpoint table does not describe (signed file downloads). */
  readonly extraRoutes?: readonly { readonly path: string; readonly handler: RequestHandler }[];
  readonly bodyLimitBytes: number;
  readonly strictResponses: boolean;
  readonly https: boolean;
}

/**
 * The HTTP API as one request listener. The endpoint table is served by its own router and pipeline on
 * Node's request and response, with Express's matching rules but without its work per request (both
 * objects re-prototyped, every route tried in declaration order), and with the request tracking, metrics
 * and replies the hot path can afford (see the pocs README). Express still serves the few plain routes
 * outside the table, and the 404. Works as a Node `request` listener and as a connect/Express middleware
 * (Colyseus mounts it in its own Express app).
 */
export function createHttpApp(options: HttpAppOptions): HttpListener {
  const { logger } = options;
  const track = requestTracker({ logger, metrics: options.metrics, https: options.https });
  const router = new Router<EndpointHandler>();
  for (const endpoint of options.endpoints) {
    router.add(
      endpoint.method,
      endpoint.path,
      endpointHandler(endpoint, {
        strictResponses: options.strictResponses,
        bodyLimitBytes: options.bodyLimitBytes,
      }),
    );
  }
  const plain = express();
  plain.disable('x-powered-by');
  plain.set('etag', false);
  for (const route of options.extraRoutes ?? []) plain.get(route.path, route.handler);
  plain.use((req, res) => sendNotFound(req, res));
  plain.use(problemHandler(logger));

  return (request, response) => {
    const req = request as HttpRequest;
    const res = response as HttpResponse;
    track(req, res);
    const fail = (error: unknown) => sendError(error, req, res, logger);
    try {
      const match = router.match(req.method ?? 'GET', req.url ?? '/');
      if (!match) {
        const allowed = router.allowedMethods(req.url ?? '/');
        if (allowed.length) sendMethodNotAllowed(req, res, allowed);
        else plain(req, res);
        return;
      }
      setRoute(req, match.template);
      match.value(req, res, match.params, fail);
    } catch (error) {
      fail(error);
    }
  };
}
