/**
 * The home of every benchmark. `npm run bench` runs them all; `npm run bench -- <name> [flags]` runs one
 * (flags go to the benchmark, e.g. `npm run bench -- pocs --real --duration 5`). Benchmarks report; they
 * never fail the process for missing a target.
 */
interface Benchmark {
  run(args: readonly string[]): Promise<void>;
}

const BENCHMARKS: Readonly<Record<string, () => Promise<Benchmark>>> = {
  pocs: () => import('./pocs.ts'),
  rooms: () => import('./rooms.ts'),
  notifications: () => import('./notifications.ts'),
  reports: () => import('./reports.ts'),
  video: () => import('./video.ts'),
  media: () => import('./media.ts'),
  'media-compose': () => import('./media-compose.ts'),
};

const args = process.argv.slice(2);
const names = args.filter((a) => a in BENCHMARKS);
const flags = args.filter((a) => !(a in BENCHMARKS));
const unknown = flags.filter((a) => !a.startsWith('--') && !Number.isFinite(Number(a)));
if (unknown.length) {
  console.error(`Unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}`);
  process.exit(2);
}

for (const name of names.length ? names : Object.keys(BENCHMARKS)) {
  const load = BENCHMARKS[name];
  if (!load) continue;
  console.log(`\n=== ${name} ===`);
  await (await load()).run(flags);
}
