/**
 * Property-based fuzzing of every operation of GET /openapi.json (see README.md beside this file):
 * FUZZ_SEED, FUZZ_RUNS, FUZZ_OPS, FUZZ_REPLAY, FUZZ_SHRINK and FUZZ_CONCURRENCY tune it.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { formatFindings, integrityFinding, statusLine } from './findings.ts';
import { Fuzzer } from './runner.ts';
import { operationsOf, type JsonSchema, type Operation } from './schema.ts';
import { methodSweep, transportProbes } from './sweeps.ts';
import { closeWire } from './wire.ts';
import { World } from './world.ts';
import { integrityReads } from './world-integrity.ts';

const DEFAULT_SEED = 20_250_607;
const DEFAULT_RUNS = 75;
const MIN_REQUESTS = 10_000;

const env = process.env;
const seed = env.FUZZ_SEED ? Number(env.FUZZ_SEED) : DEFAULT_SEED;
const numRuns = env.FUZZ_RUNS ? Number(env.FUZZ_RUNS) : DEFAULT_RUNS;
const replay = env.FUZZ_REPLAY ? Number(env.FUZZ_REPLAY) : undefined;
const concurrency = env.FUZZ_CONCURRENCY ? Number(env.FUZZ_CONCURRENCY) : 4;
const only = env.FUZZ_OPS?.split(',')
  .map((s) => s.trim())
  .filter(Boolean);
/** The full run: every operation, at least the default number of runs, no replay. */
const full = !only && numRuns >= DEFAULT_RUNS && replay === undefined;

const test = suite('fuzz: every operation of /openapi.json');
let world: World | undefined;

test.before(async () => {
  world = await World.create();
});

test.after(async () => {
  closeWire();
  await world?.close();
});

async function pool<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.max(1, size) }, worker));
}

test('no 5xx, problem+json 4xx, no leaks, no cross-tenant success, for every operation', async () => {
  const w = world as World;
  const started = Date.now();
  const doc = (await w.api('GET', '/openapi.json')).body as JsonSchema;
  const all = operationsOf(doc);
  assert.ok(all.length > 0, '/openapi.json lists no operation');
  // FUZZ_OPS entries match an operation exactly (`GET /v1/pocs`), or else as a substring (`/v1/pocs`).
  const matches = (op: Operation, o: string) =>
    all.some((x) => x.key === o) ? op.key === o : op.key.includes(o);
  const ops: Operation[] = only ? all.filter((op) => only.some((o) => matches(op, o))) : all;
  assert.ok(ops.length > 0, `FUZZ_OPS matches no operation of: ${all.map((o) => o.key).join(', ')}`);
  const shrink = env.FUZZ_SHRINK === '1';
  const fuzzer = new Fuzzer(w, { seed, numRuns, replay, shrink });
  await fuzzer.prepare();
  console.log(
    `\nfuzz: seed ${seed} (FUZZ_SEED), ${numRuns} runs per operation (FUZZ_RUNS), ${ops.length} of ${all.length} operations`,
  );

  await pool(ops, concurrency, async (op) => {
    await fuzzer.runOperation(op);
    const again = await w.ensureSessions();
    if (again.length)
      fuzzer.notes.push(`after ${op.key}: logged in again as ${again.join(', ')} (token refused)`);
  });
  if (!only) {
    await methodSweep(fuzzer, all);
    await transportProbes(fuzzer);
  }

  // Tenant A's watched resources are read again: no request of anyone else may have changed them.
  const now = await integrityReads(w);
  for (const [what, before] of w.snapshots) {
    const after = now.get(what);
    if (after !== before)
      fuzzer.findings.set(`(integrity) ${what}`, integrityFinding(what, before, after, seed));
  }

  const seconds = (Date.now() - started) / 1000;
  console.log(`fuzz: ${fuzzer.requests} requests in ${seconds.toFixed(1)} s`);
  for (const op of ops) console.log(statusLine(op.key, fuzzer.stats.get(op.key)));
  for (const note of [...fuzzer.notes, ...w.notes]) console.log(`  note: ${note}`);

  // Nothing skipped: every selected operation ran all its cases.
  const expected = replay === undefined ? numRuns : 1;
  const short = ops.filter((op) => (fuzzer.runsDone.get(op.key) ?? 0) < expected).map((op) => op.key);
  // (With FUZZ_SHRINK an operation stops at its first finding: that is the point.)
  if (!shrink) assert.equal(short, [], 'operations that did not run all their cases');
  // The right tenant's token gets past authentication somewhere on every operation that needs one.
  const neverIn = ops
    .filter((op) => op.auth)
    .filter((op) =>
      [...(fuzzer.stats.get(op.key)?.get('right') ?? new Map<string, number>())].every(([s]) => s === '401'),
    )
    .map((op) => op.key);
  assert.equal(neverIn, [], "operations where the right tenant's token was always refused");

  if (fuzzer.findings.size) {
    const report = formatFindings(fuzzer.findings.values());
    console.log(`\nfuzz: ${fuzzer.findings.size} distinct findings (seed ${seed}):\n\n${report}\n`);
  }
  if (full) assert.ok(fuzzer.requests >= MIN_REQUESTS, `only ${fuzzer.requests} requests were sent`);
  assert.is(
    fuzzer.findings.size,
    0,
    `${fuzzer.findings.size} distinct findings (seed ${seed}); see the report above`,
  );
});

test.run();
