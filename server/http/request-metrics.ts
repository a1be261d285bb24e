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
        help: 'HTTP requests by route template, status and tenant (when authenticated)',
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

  observe(method: string, route: string, status: number, tenant: string, seconds: number): void {
    const key = `${method} ${status} ${tenant} ${route}`;
    let series = this.#series.get(key);
    if (!series) {
      series = {
        labels: { method, route, status: String(status), tenant },
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

  /** The duration histogram has no tenant label: series of one route and status are added up. */
  #histogram(name: string): Sample[] {
    const merged = new Map<
      string,
      { labels: Record<string, string>; sum: number; count: number; buckets: number[] }
    >();
    for (const s of this.#series.values()) {
      const { method, route, status } = s.labels as Record<string, string>;
      const key = `${method} ${status} ${route}`;
      let m = merged.get(key);
      if (!m) {
        m = {
          labels: { method: method ?? '', route: route ?? '', status: status ?? '' },
          sum: 0,
          count: 0,
          buckets: new Array<number>(s.buckets.length).fill(0),
        };
        merged.set(key, m);
      }
      m.sum += s.sum;
      m.count += s.count;
      for (let i = 0; i < s.buckets.length; i++) m.buckets[i] = (m.buckets[i] ?? 0) + (s.buckets[i] ?? 0);
    }
    const values: Sample[] = [];
    for (const m of merged.values()) {
      let cumulative = 0;
      m.buckets.forEach((n, i) => {
        cumulative += n;
        const le = i < this.#bounds.length ? (this.#bounds[i] as number) : '+Inf';
        values.push({ value: cumulative, labels: { le, ...m.labels }, metricName: `${name}_bucket` });
      });
      values.push({ value: m.sum, labels: m.labels, metricName: `${name}_sum` });
      values.push({ value: m.count, labels: m.labels, metricName: `${name}_count` });
    }
    return values;
  }
}
