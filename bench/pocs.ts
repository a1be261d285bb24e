/**
 *   npm run bench -- pocs [--mix-only | --cached-only] [--real] [--duration N]
 *     cached pages: [--no-page-cache] [--pocs 5000]              (--duration 10 per target)
 *     realistic mix: [--users 100] [--pocs-per-user 300] [--tenants 5] [--seed 1] [--warm-up 5]
 *                    [--slices 4] [--reference-verify-each] [--profile] [--search-threads N]
 *                    (--duration 20 per target)
 *
 * Two runs, one after the other (`--cached-only` or `--mix-only` for one of them); bench/README.md says more.
 *
 * 1. Cached pages (issue #4, this file): one user's POCs, 30 searches repeated: one user, same pages, the
 *    page cache's best case, not what users see.
 * 2. The realistic mix (issue #16, `pocs-realistic.ts`): 100 users × 300 POCs, random searches and 5 %
 *    writes across all users, ours against a node:http + PostgreSQL reference in the same run; read req/s,
 *    read and write p50/p95/p99, CPU per request of each server and its database, the ratios and targets.
 *
 * Cached pages: one user with 5,000 POCs, 50 connections, ~10 s per target, against (a) a bare node:http
 * server and (b) the system: search by tag (SINTER + a page fetched by key) and by name (a scan of the
 * user's partition). Embedded store and in-memory cache by default; with `--real`, or
 * CASSANDRA_CONTACT_POINTS and REDIS_URL set, Cassandra + Redis (a keyspace and key prefix of its own,
 * dropped afterwards). The server, the bare server and the load generator each run in their own process.
 *
 * Each target is loaded for 3 s first (not measured), so that what is measured is the steady state.
 *
 * Search pages are cached per version of the user's POCs (what a deployment runs); `--no-page-cache`
 * computes every search (sets, then the page's rows by key), the cost of a first page or a page after a write.
 */
import path from 'node:path';
import { createLogger } from '../server/lib/log.ts';
import { createAccountsModule } from '../server/modules/accounts/index.ts';
import { createPocsModule } from '../server/modules/pocs/index.ts';
import { startSystem } from '../server/system.ts';
import { signUpAndLogin } from '../test/support/accounts.ts';
import { numberOption } from './args.ts';
import { loadTest, type LoadResult } from './load.ts';
import { benchPocsConfig, cleanupBench } from './pocs-system.ts';
import { ready, serve } from './processes.ts';
import { runRealistic } from './pocs-realistic.ts';

const TAGS = [
  'kafka',
  'redis',
  'cassandra',
  'grpc',
  'rest',
  'graphql',
  'k8s',
  'docker',
  'ml',
  'llm',
  'stream',
  'batch',
  'cache',
  'auth',
  'oauth',
  'jwt',
  'webrtc',
  'wasm',
  'cli',
  'ui',
];
const LANGUAGES = ['Java', 'Go', 'TypeScript', 'Rust', 'Python', 'Kotlin', 'Scala', 'Elixir'];
const ADJECTIVES = [
  'fast',
  'tiny',
  'reactive',
  'resilient',
  'durable',
  'async',
  'typed',
  'lazy',
  'secure',
  'simple',
];
const NOUNS = [
  'gateway',
  'queue',
  'ledger',
  'crawler',
  'scheduler',
  'router',
  'indexer',
  'parser',
  'proxy',
  'tracker',
];
const CONNECTIONS = 50;
const WARM_UP_SECONDS = 3;

interface SystemInfo {
  readonly url: string;
  readonly token: string;
  readonly pocs: number;
  readonly seedSeconds: number;
  readonly store: string;
  readonly cache: string;
  readonly pageCache: boolean;
}

const isReal = (args: readonly string[]) =>
  args.includes('--real') || Boolean(process.env.CASSANDRA_CONTACT_POINTS && process.env.REDIS_URL);

/** The child process that runs the system, seeded with one user's POCs. */
async function serveSystem(args: readonly string[]): Promise<void> {
  const real = isReal(args);
  const count = numberOption(args, '--pocs', 5000);
  const bench = benchPocsConfig(real, 'pocs');
  const { config, dataDir } = bench;
  const pageCache = !args.includes('--no-page-cache');
  const pocs = createPocsModule(pageCache ? {} : { searchPages: 0 });
  // Logging as a deployment does (an access line per request on stdout, which the bench reads and drops).
  const system = await startSystem({
    config,
    logger: createLogger({ level: config.logLevel }),
    modules: [createAccountsModule(), pocs],
    version: 'bench',
  });
  const cleanup = async () => {
    await system.stop();
    await cleanupBench(bench);
  };
  try {
    const user = await signUpAndLogin({ url: system.url, dataDir });
    const started = performance.now();
    let next = 0;
    // Seeded through the API as a client would, a few writes in flight at a time.
    const worker = async () => {
      for (let i = next++; i < count; i = next++) {
        const tags = TAGS.filter((_, t) => (i * 7 + t * 13) % 20 < 2 + (i % 3));
        const res = await fetch(`${system.url}/v1/pocs`, {
          method: 'POST',
          headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            name: `${ADJECTIVES[i % ADJECTIVES.length]} ${NOUNS[(i * 3) % NOUNS.length]} ${i}`,
            language: LANGUAGES[i % LANGUAGES.length] ?? 'Go',
            tags,
            repoUrl: `https://github.com/example/poc-${i}`,
            description: `Proof of concept number ${i}`,
            favorite: i % 7 === 0,
          }),
        });
        if (res.status !== 201) throw new Error(`seeding POC ${i}: ${res.status} ${await res.text()}`);
      }
    };
    await Promise.all(Array.from({ length: real ? 32 : 4 }, worker));
    const info: SystemInfo = {
      url: system.url,
      token: user.token,
      pocs: count,
      seedSeconds: (performance.now() - started) / 1000,
      store: system.adapters.store.name,
      cache: system.adapters.cache.name,
      pageCache,
    };
    ready(info, cleanup);
  } catch (error) {
    await cleanup();
    throw error;
  }
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const mark = (ok: boolean) => (ok ? 'PASS' : 'MISS');

function row(label: string, r: LoadResult, bare?: LoadResult): string {
  const ratio = bare ? `${fmt((100 * r.requestsPerSecond) / bare.requestsPerSecond, 1)}%` : '100%';
  const bad = r.non2xx + r.errors + r.timeouts;
  return [
    label.padEnd(18),
    fmt(r.requestsPerSecond).padStart(9),
    fmt(r.p50Ms, 1).padStart(8),
    fmt(r.p99Ms, 1).padStart(8),
    ratio.padStart(8),
    bad ? `  (${bad} failed requests!)` : '',
  ].join(' ');
}

export async function run(args: readonly string[]): Promise<void> {
  if (!args.includes('--mix-only')) {
    console.log(
      "\n--- cached pages (one user, same pages: the page cache's best case; 30 searches, 20 by tag, 10 by name) ---",
    );
    await runCachedPages(args);
  }
  if (!args.includes('--cached-only')) {
    console.log(
      '\n--- realistic mix (many users, searches and writes) vs a node:http + PostgreSQL reference ---',
    );
    await runRealistic(args, isReal(args));
  }
}

async function runCachedPages(args: readonly string[]): Promise<void> {
  const duration = numberOption(args, '--duration', 10);
  const real = isReal(args);
  const load = (url: string, paths: string[], token?: string) =>
    loadTest({
      url,
      paths,
      connections: CONNECTIONS,
      durationSeconds: duration,
      ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
    });

  // Every target is warmed up under the same load before it is measured: the first seconds of a process
  // run unoptimized code (and, for the system, follow the seeding's garbage), which is not the steady state.
  const warmUp = (url: string, paths: string[], token?: string) =>
    loadTest({
      url,
      paths,
      connections: CONNECTIONS,
      durationSeconds: WARM_UP_SECONDS,
      ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
    });
  const bare = await serve<{ url: string }>(
    path.join(import.meta.dirname, 'bare-server.ts'),
    [],
    process.env,
  );
  let bareResult: LoadResult;
  try {
    await warmUp(bare.info.url, ['/']);
    bareResult = await load(bare.info.url, ['/']);
  } finally {
    await bare.stop();
  }

  const system = await serve<SystemInfo>(import.meta.filename, ['--serve', ...args], process.env);
  const byTag = TAGS.map((t) => `/v1/pocs?tag=${t}`);
  const byName = NOUNS.map((n) => `/v1/pocs?name=${n}`);
  let tagResult: LoadResult;
  let nameResult: LoadResult;
  try {
    for (const p of [...byTag, ...byName]) {
      const res = await fetch(system.info.url + p, {
        headers: { authorization: `Bearer ${system.info.token}` },
      });
      const body = (await res.json()) as { pocs?: unknown[] };
      if (res.status !== 200 || body.pocs?.length !== 20)
        throw new Error(`warm-up ${p}: ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
    }
    await warmUp(system.info.url, [...byTag, ...byName], system.info.token);
    tagResult = await load(system.info.url, byTag, system.info.token);
    nameResult = await load(system.info.url, byName, system.info.token);
  } finally {
    await system.stop();
  }

  const ratio = tagResult.requestsPerSecond / bareResult.requestsPerSecond;
  console.log(
    `\nPOC search, one user, same pages (the page cache's best case): ${fmt(system.info.pocs)} POCs of one user (seeded in ${fmt(system.info.seedSeconds, 1)} s), ` +
      `store ${system.info.store}, cache ${system.info.cache}, search pages ${system.info.pageCache ? 'cached' : 'computed every time'}; ` +
      `${CONNECTIONS} connections, ${duration} s each, 20 POCs a page\n`,
  );
  console.log(
    `${'target'.padEnd(18)} ${'req/s'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'vs bare'.padStart(8)}`,
  );
  console.log(row('bare node:http', bareResult));
  console.log(row('search by tag', tagResult, bareResult));
  console.log(row('search by name', nameResult, bareResult));
  const scope = real ? ' (the targets are set for the embedded store; shown for reference)' : '';
  console.log(
    `\nsearch/bare ratio: tag ${fmt(100 * ratio, 1)}%, name ${fmt((100 * nameResult.requestsPerSecond) / bareResult.requestsPerSecond, 1)}%${scope}`,
  );
  console.log(
    `  ${mark(ratio >= 0.25)}  search by tag ≥ 25% of the bare server's req/s (${fmt(100 * ratio, 1)}%)`,
  );
  console.log(
    `  ${mark(tagResult.p99Ms < 50)}  search by tag p99 < 50 ms at ${CONNECTIONS} connections (${fmt(tagResult.p99Ms, 1)} ms)`,
  );
}

if (import.meta.main && process.argv.includes('--serve')) {
  await serveSystem(process.argv.slice(2));
}
