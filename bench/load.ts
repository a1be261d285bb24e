/**
 * Load generation for the benchmarks, always in a process of its own so the load generator never shares an
 * event loop (or a core) with the server it measures. `loadTest()` spawns this file; run directly, it reads
 * its options from argv, drives autocannon through its API and prints the result as one JSON line.
 */
import { runChild } from './processes.ts';
import { createRequire } from 'node:module';

export interface LoadOptions {
  readonly url: string;
  /** Request paths, cycled through by every connection (e.g. several tags to search for). */
  readonly paths: readonly string[];
  readonly headers?: Readonly<Record<string, string>>;
  readonly connections: number;
  readonly durationSeconds: number;
}

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
}

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;

export function loadTest(options: LoadOptions): Promise<LoadResult> {
  return runChild<LoadResult>(import.meta.filename, options, 'load generator');
}

async function main(options: LoadOptions): Promise<void> {
  const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    headers: options.headers ?? {},
    requests: options.paths.map((path) => ({ method: 'GET', path })),
  });
  const summary: LoadResult = {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

if (import.meta.main) {
  await main(JSON.parse(process.argv[2] ?? '{}') as LoadOptions);
}
