import express, { type Express, type RequestHandler } from 'express';
import type { Logger } from '../lib/log.ts';
import { mountEndpoints, type AnyEndpoint } from './endpoint.ts';
import type { Metrics } from './metrics.ts';
import { requestContext, securityHeaders } from './middleware.ts';
import { notFoundProblem, problemHandler, sendProblem } from './problem.ts';

export interface HttpAppOptions {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly endpoints: readonly AnyEndpoint[];
  /** Plain handlers for paths the endpoint table does not describe (signed file downloads). */
  readonly extraRoutes?: readonly { readonly path: string; readonly handler: RequestHandler }[];
  readonly bodyLimitBytes: number;
  readonly strictResponses: boolean;
  readonly https: boolean;
  /** Trust X-Forwarded-For from this many proxies when reading the client address. */
  readonly trustProxy?: number | boolean;
}

export function createHttpApp(options: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', options.trustProxy ?? false);
  app.use(requestContext(options.logger));
  app.use(securityHeaders({ https: options.https }));
  app.use(options.metrics.middleware());
  const router = express.Router();
  mountEndpoints(router, options.endpoints, {
    strictResponses: options.strictResponses,
    bodyLimitBytes: options.bodyLimitBytes,
  });
  for (const route of options.extraRoutes ?? []) router.get(route.path, route.handler);
  app.use(router);
  app.use((req, res) => sendProblem(res, { ...notFoundProblem(req.method, req.path), instance: req.path }));
  app.use(problemHandler(options.logger));
  return app;
}
