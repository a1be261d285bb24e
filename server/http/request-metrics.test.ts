import { Counter, Histogram, Registry } from 'prom-client';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RequestMetrics } from './request-metrics.ts';

const s = suite('http: request metrics');
const BUCKETS = [0.001, 0.01, 0.1, 1];

/** The same observations through prom-client's own metrics: what the scrape must look like. */
function reference(registry: Registry) {
  const count = new Counter({
    name: 't_http_requests_total',
    help: 'HTTP requests by route template and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 't_http_request_duration_seconds',
    help: 'HTTP request duration by route template and status',
    labelNames: ['method', 'route', 'status'],
    buckets: BUCKETS,
    registers: [registry],
  });
  return (method: string, route: string, status: number, seconds: number) => {
    count.inc({ method, route, status: String(status) });
    duration.observe({ method, route, status: String(status) }, seconds);
  };
}

const sortedLines = (text: string) => text.split('\n').filter(Boolean).sort();

s('scrapes exactly as prom-client counters and histograms would, with no tenant label', async () => {
  const ours = new Registry();
  const metrics = new RequestMetrics({ registry: ours, prefix: 't_', buckets: BUCKETS });
  const theirs = new Registry();
  const observe = reference(theirs);
  const samples: [string, string, number, number][] = [
    ['GET', '/v1/pocs', 200, 0.0004],
    ['GET', '/v1/pocs', 200, 0.001],
    ['GET', '/v1/pocs', 200, 0.05],
    ['GET', '/v1/pocs', 400, 2],
    ['POST', '/v1/pocs', 201, 0.2],
  ];
  for (const sample of samples) {
    metrics.observe(...sample);
    observe(...sample);
  }
  const scrape = await ours.metrics();
  assert.equal(sortedLines(scrape), sortedLines(await theirs.metrics()));
  assert.not.match(scrape, /tenant/);
});

s('resetMetrics starts every series over', async () => {
  const registry = new Registry();
  const metrics = new RequestMetrics({ registry, prefix: 't_', buckets: BUCKETS });
  metrics.observe('GET', '/healthz', 200, 0.002);
  assert.match(
    await registry.metrics(),
    /t_http_requests_total\{method="GET",route="\/healthz",status="200"\} 1/,
  );
  registry.resetMetrics();
  assert.not.match(await registry.metrics(), /route="\/healthz"/);
});

s.run();
