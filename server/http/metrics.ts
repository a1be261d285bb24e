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
    return (req, res, next) => {
      const end = process.hrtime.bigint();
      res.on('finish', () => {
        const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
        const status = String(res.statusCode);
        const tenant = (res.locals as { tenantId?: string }).tenantId ?? 'none';
        const seconds = Number(process.hrtime.bigint() - end) / 1e9;
        this.httpRequests.inc({ method: req.method, route, status, tenant });
        this.httpDuration.observe({ method: req.method, route, status }, seconds);
      });
      next();
    };
  }
}
