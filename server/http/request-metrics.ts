import type { Metric, MetricValue, Registry } from 'prom-client';

/** A sample of a metric family; histograms name theirs `_bucket`, `_sum` and `_count`. */
type Sample = MetricValue<string> & { readonly metricName: string };

interface Series {
  readonly labels: Readonly<Record<string, string>>;
  count: number;
  sum: number;
  /** Observations per bucket (not cumulative); the last one is +Inf. */
  readonly buckets: Float64Array;
}

export interface RequestMetricsOptions {
  readonly registry: Registry;
  readonly prefix: string;
  /** Upper bounds of the duration buckets, in seconds, ascending. */
  readonly buckets: readonly number[];
}

/**
 * The HTTP request counter and duration histogram, kept in plain arrays and formatted only when scraped.
 * A prom-client counter or histogram hashes and validates its label object on every observation, which cost
 * more than a whole cached search's own work; here a request costs one map lookup by a string key. Both are
 * registered in the registry like prom-client's own metrics, with the same names, labels and text format.
 */
export class RequestMetrics {
  readonly #bounds: readonly number[];
  readonly #series = new Map<string, Series>();

  constructor(options: RequestMetricsOptions) {
    this.#bounds = options.buckets;
    const { prefix } = options;
    const families = [
      {
        name: `${prefix}http_requests_total`,
        help: 'HTTP requests by route template and status',
        type: 'counter',
        get: () => this.#counter(`${prefix}http_requests_total`),
      },
      {
        name: `${prefix}http_request_duration_seconds`,
        help: 'HTTP request duration by route template and status',
        type: 'histogram',
        get: () => this.#histogram(`${prefix}http_request_duration_seconds`),
      },
    ];
    for (const family of families) {
      const metric = {
        ...family,
        aggregator: 'sum',
        get: async () => ({
          name: family.name,
          help: family.help,
          type: family.type,
          aggregator: 'sum',
          values: family.get(),
        }),
        reset: () => this.#series.clear(),
      };
      // The registry only calls get() and reset() and reads name, help, type and aggregator.
      options.registry.registerMetric(metric as unknown as Metric);
    }
  }

  /** No tenant or user label, ever: a scrape must not list who uses the service (nor explode cardinality). */
  observe(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${status} ${route}`;
    let series = this.#series.get(key);
    if (!series) {
      series = {
        labels: { method, route, status: String(status) },
        count: 0,
        sum: 0,
        buckets: new Float64Array(this.#bounds.length + 1),
      };
      this.#series.set(key, series);
    }
    series.count++;
    series.sum += seconds;
    let i = 0;
    while (i < this.#bounds.length && seconds > (this.#bounds[i] as number)) i++;
    series.buckets[i] = (series.buckets[i] ?? 0) + 1;
  }

  #counter(name: string): Sample[] {
    return [...this.#series.values()].map((s) => ({ value: s.count, labels: s.labels, metricName: name }));
  }

  #histogram(name: string): Sample[] {
    const values: Sample[] = [];
    for (const s of this.#series.values()) {
      let cumulative = 0;
      s.buckets.forEach((n, i) => {
        cumulative += n;
        const le = i < this.#bounds.length ? (this.#bounds[i] as number) : '+Inf';
        values.push({ value: cumulative, labels: { le, ...s.labels }, metricName: `${name}_bucket` });
      });
      values.push({ value: s.sum, labels: s.labels, metricName: `${name}_sum` });
      values.push({ value: s.count, labels: s.labels, metricName: `${name}_count` });
    }
    return values;
  }
}
