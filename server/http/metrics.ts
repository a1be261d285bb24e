import { Registry, collectDefaultMetrics } from 'prom-client';
import { RequestMetrics } from './request-metrics.ts';

/** One registry per process (not prom-client's global one), so tests can build several systems. */
export class Metrics {
  readonly registry = new Registry();
  readonly #requests: RequestMetrics;

  constructor(options: { prefix?: string } = {}) {
    const prefix = options.prefix ?? 'dojo_';
    collectDefaultMetrics({ register: this.registry, prefix });
    this.#requests = new RequestMetrics({
      registry: this.registry,
      prefix,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    });
  }

  /** Counts a finished request, labelled by its route template (never the raw path: ids would explode cardinality). */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.#requests.observe(method, route, status, seconds);
  }
}
