import type { RequestHandler } from 'express';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per process (not prom-client's global one), so tests can build several systems. */
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'route' | 'status' | 'tenant'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;

  constructor(options: { prefix?: string } = {}) {
    const prefix = options.prefix ?? 'dojo_';
    collectDefaultMetrics({ register: this.registry, prefix });
    this.httpRequests = new Counter({
      name: `${prefix}http_requests_total`,
      help: 'HTTP requests by route template, status and tenant (when authenticated)',
      labelNames: ['method', 'route', 'status', 'tenant'],
      registers: [this.registry],
    });
    this.httpDuration = new Histogram({
      name: `${prefix}http_request_duration_seconds`,
      help: 'HTTP request duration by route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
  }

  /** Labels by the matched route template (never the raw path: ids would explode cardinality). */
  middleware(): RequestHandler {
    // The label of each route, made once per route and mount point instead of once per request.
    const labels = new WeakMap<object, Map<string, string>>();
    const routeLabel = (route: { path?: unknown } | undefined, baseUrl: string): string => {
      if (!route?.path) return 'unmatched';
      let byBase = labels.get(route);
      if (!byBase) labels.set(route, (byBase = new Map()));
      let label = byBase.get(baseUrl);
      if (label === undefined) byBase.set(baseUrl, (label = `${baseUrl}${String(route.path)}`));
      return label;
    };
    return (req, res, next) => {
      const started = performance.now();
      res.on('finish', () => {
        const route = routeLabel(req.route as { path?: unknown } | undefined, req.baseUrl);
        const status = String(res.statusCode);
        const tenant = (res.locals as { tenantId?: string }).tenantId ?? 'none';
        const seconds = (performance.now() - started) / 1000;
        this.httpRequests.inc({ method: req.method, route, status, tenant });
        this.httpDuration.observe({ method: req.method, route, status }, seconds);
      });
      next();
    };
  }
}
