/**
 * POC search, a benchmark that tells the truth (issue #16): many users, a realistic mix of searches and
 * writes, and a competent reference implementation (node:http + pg on PostgreSQL, `pocs-reference.ts`)
 * measured in the same run with the same load. Run by `npm run bench -- pocs` after the cached-pages run
 * (`--mix-only` for this one alone); see bench/README.md.
 *
 * Data: `--users` (100) × `--pocs-per-user` (300) POCs over `--tenants` (5) tenants, from the seeded
 * generator (`--seed`, 1) of `pocs-mix.ts`: ours signed up and seeded through the API, the reference loaded
 * by one INSERT per user. Before any write, a sample of the mix's searches is asked of both, every page
 * followed, and the answers compared. Load (`pocs-load.ts`): 50 connections, each request a random user's
 * search (40 % one tag, 20 % two tags, 20 % a name substring, 10 % a language, 10 % language + tag; half
 * at a random `limit`, a quarter followed by their next page) or, 5 % of them, a write (35 % create, 30 %
 * new tags, 5 % rename, 30 % delete). Both targets run side by side (idle while the other is measured): a
 * `--warm-up` (5) s warm-up each on other request streams, then `--duration` (20) s per target in
 * `--slices` (4) slices taken in turns, A B B A …, the same request streams for both, so that the rest of a
 * shared machine weighs on both alike. CPU per request from /proc: the server process (with the embedded
 * store, SQLite runs inside it) and its database (with `--real`, Cassandra's JVM, its pid from .services/,
 * and Redis; the reference's PostgreSQL backends + walwriter, checkpointer, background writer).
 * `--rounds N` measures N rounds (warm-up, slices) on the same seeded data, each printed, then all of them.
 * `--reference-verify-each` makes the reference verify the JWT's signature on every request (ours, like it
 * by default, verifies a token once and remembers it). `--profile` adds a profiled run of our server (V8
 * CPU profiler, `--duration` s of the same mix; not in the figures) and prints where its time went.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hash, inFlight, readQuery, rng, type MixOptions, type MixUser } from './pocs-mix.ts';
import { mixLoad } from './pocs-load.ts';
import type { OursInfo } from './pocs-ours.ts';
import { summarize } from './pocs-profile.ts';
import { printComparison, printIssueTable, printRounds, printTargets, type Labels } from './pocs-report.ts';
import { Tally, type SliceTarget } from './pocs-tally.ts';
import { numberOption } from './args.ts';
import { serve, type Served } from './processes.ts';
import { pidsMatching } from './proc.ts';
import { postgresPids } from './proc-cpu.ts';

const CONNECTIONS = 50;
const CHECKS = 200;
const SERVICES_DIR = process.env.DOJO_SERVICES_DIR ?? path.join(import.meta.dirname, '..', '.services');

/** Every page of each sample search, as `count:sorted names`: ids and dates differ between targets, these may not. */
async function answersOf(url: string, users: readonly MixUser[], o: MixOptions): Promise<string[]> {
  const out: string[] = [];
  await inFlight(CHECKS, 8, async (k) => {
    const r = rng(hash(o.seed, 0xc4ec, k));
    const user = Math.floor(r() * users.length);
    const query = readQuery(r, o, user);
    const names: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const after: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const res = await fetch(`${url}/v1/pocs?${query}&limit=100${after}`, {
        headers: { authorization: `Bearer ${(users[user] as MixUser).token}` },
      });
      const body = (await res.json()) as { pocs?: { name: string }[]; nextCursor?: string | null };
      if (res.status !== 200 || !body.pocs)
        return void (out[k] = `${query}: ${res.status} ${JSON.stringify(body)}`);
      names.push(...body.pocs.map((p) => p.name));
      if (!(cursor = body.nextCursor ?? null)) break;
    }
    out[k] = `${query}: ${names.length} ${names.sort().join('|')}`;
  });
  return out;
}

interface Target extends SliceTarget {
  readonly served: Served<{ url: string }>;
  readonly usersFile: string;
}

const load = (t: Target, o: MixOptions, stream: number, durationSeconds: number) =>
  mixLoad({
    ...o,
    url: t.served.info.url,
    usersFile: t.usersFile,
    connections: CONNECTIONS,
    durationSeconds,
    stream,
  });

interface Round {
  readonly index: number;
  readonly warmUp: number;
  readonly duration: number;
  readonly slices: number;
}

/**
 * One measured round: a warm-up of each target on request streams of its own, the databases' idle CPU, then
 * the slices in the order A B B A A B …, so that a machine getting busier or quieter weighs on both alike.
 */
async function measure(A: Target, B: Target, o: MixOptions, r: Round): Promise<[Tally, Tally]> {
  const [a, b] = [new Tally(), new Tally()];
  await load(A, o, 1000 + r.index, r.warmUp);
  await load(B, o, 1000 + r.index, r.warmUp);
  await a.idle(A, 2000);
  await b.idle(B, 2000);
  for (let k = 0; k < r.slices; k++) {
    const order: [Target, Tally][] = [
      [A, a],
      [B, b],
    ];
    if (k % 2 === 1) order.reverse();
    const stream = 2 + r.index * r.slices + k;
    for (const [t, tally] of order) await tally.slice(t, () => load(t, o, stream, r.duration / r.slices));
  }
  return [a, b];
}

const usersOf = (t: Target) => (JSON.parse(readFileSync(t.usersFile, 'utf8')) as { users: MixUser[] }).users;

/** Cassandra's JVM (its pid file in .services/, checked against its command line) and Redis, by port. */
function realDatabasePids(): number[] {
  const port = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379').port || '6379';
  const redis = pidsMatching((c) => c.startsWith('redis-server') && c.includes(`:${port}`));
  const marker = '-Ddojo.service=cassandra';
  let cassandra: number[] = [];
  try {
    const pid = Number(readFileSync(path.join(SERVICES_DIR, 'cassandra', 'pid'), 'utf8').trim());
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    if (cmdline.includes(marker)) cassandra = [pid];
  } catch {
    // No pid file (Cassandra started some other way): found by its command line below.
  }
  if (!cassandra.length) cassandra = pidsMatching((c) => c.includes(marker));
  return [...cassandra, ...redis];
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export async function runRealistic(args: readonly string[], real: boolean): Promise<void> {
  const o: MixOptions = {
    seed: numberOption(args, '--seed', 1),
    users: numberOption(args, '--users', 100),
    pocsPerUser: numberOption(args, '--pocs-per-user', 300),
    tenants: numberOption(args, '--tenants', 5),
    writes: 0.05,
  };
  const duration = numberOption(args, '--duration', 20);
  const warmUp = numberOption(args, '--warm-up', 5);
  const slices = Math.round(numberOption(args, '--slices', 4));
  const rounds = Math.round(numberOption(args, '--rounds', 1));
  const verifyEach = args.includes('--reference-verify-each');
  const threads = args.includes('--search-threads') ? numberOption(args, '--search-threads', 1) : undefined;
  const dir = mkdtempSync(path.join(tmpdir(), 'dojo-bench-mix-'));
  const profile = args.includes('--profile') ? path.join(dir, 'ours.cpuprofile') : undefined;
  const here = import.meta.dirname;
  const started: Served<unknown>[] = [];
  try {
    const oursFile = path.join(dir, 'ours-users.json');
    const refFile = path.join(dir, 'reference-users.json');
    const settled = await Promise.allSettled([
      serve<OursInfo>(
        path.join(here, 'pocs-ours.ts'),
        [
          JSON.stringify({
            ...o,
            usersFile: oursFile,
            real,
            ...(profile ? { profile } : {}),
            ...(threads === undefined ? {} : { searchThreads: threads }),
          }),
        ],
        process.env,
        900_000,
      ),
      serve<{ url: string; database: string; seedSeconds: number }>(
        path.join(here, 'pocs-reference.ts'),
        [JSON.stringify({ ...o, usersFile: refFile, verifyEach })],
        process.env,
      ),
    ]);
    for (const s of settled) if (s.status === 'fulfilled') started.push(s.value);
    for (const s of settled) if (s.status === 'rejected') throw s.reason;
    const [ours, reference] = settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as [
      Served<OursInfo>,
      Served<{ url: string; database: string; seedSeconds: number }>,
    ];
    const A: Target = {
      served: ours,
      serverPid: ours.child.pid as number,
      usersFile: oursFile,
      dbPids: async () => (real ? realDatabasePids() : []),
    };
    const B: Target = {
      served: reference,
      serverPid: reference.child.pid as number,
      usersFile: refFile,
      dbPids: () => postgresPids(reference.info.database),
    };
    // Before any write: both must give the same answers to the same searches.
    const answers = [await answersOf(A.served.info.url, usersOf(A), o)];
    answers.push(await answersOf(B.served.info.url, usersOf(B), o));
    const [oursAnswers, referenceAnswers] = answers as [string[], string[]];
    const agree = oursAnswers.filter((x, i) => x === referenceAnswers[i]).length;
    console.log(
      `\nPOC search, realistic mix (${o.users} users × ${o.pocsPerUser} POCs over ${o.tenants} tenants, ` +
        `seed ${o.seed}): ${CONNECTIONS} connections, ${warmUp} s of warm-up, then ${duration} s measured ` +
        `per target in ${slices} slices taken in turns (ABBA)${rounds > 1 ? `, ${rounds} rounds` : ''}; ` +
        `${100 * (1 - o.writes)} % reads (40 % one tag, 20 % two tags, 20 % name, 10 % language, 10 % ` +
        `language + tag; half at a random limit, a quarter followed by their next page), ` +
        `${100 * o.writes} % writes (35 % create, 30 % new tags, 5 % rename, 30 % delete)`,
    );
    console.log(
      `ours: ${ours.info.store} + ${ours.info.cache}, ${o.users} sign-ups in ${fmt(ours.info.signUpSeconds, 1)} s, ` +
        `POCs seeded through the API in ${fmt(ours.info.seedSeconds, 1)} s; reference: node:http + pg, ` +
        `loaded and indexed in ${fmt(reference.info.seedSeconds, 1)} s, JWT verified ` +
        `${verifyEach ? 'on every request' : 'once per token (as ours)'}`,
    );
    console.log(`answers agree on ${agree}/${CHECKS} sample searches (every page, limit 100)`);
    const differ = oursAnswers.flatMap((x, i) =>
      x === referenceAnswers[i] ? [] : [[x, referenceAnswers[i] ?? '']],
    );
    for (const [x, y] of differ.slice(0, 5))
      console.log(`  differs: ours      ${x?.slice(0, 150)}\n           reference ${y?.slice(0, 150)}`);
    const labels: Labels = {
      ours: `ours (${real ? 'cassandra+redis' : ours.info.store})`,
      inProcess: !real,
      real,
    };
    const results: [Tally, Tally][] = [];
    for (let index = 0; index < rounds; index++) {
      const [a, b] = await measure(A, B, o, { index, warmUp, duration, slices });
      results.push([a, b]);
      if (rounds > 1) console.log(`\n--- round ${index + 1} of ${rounds} ---`);
      printComparison(a, b, labels);
      printIssueTable(a, b, labels);
      printTargets(a, b, labels);
    }
    if (rounds > 1) printRounds(results, labels);
    if (profile) {
      ours.child.kill('SIGUSR2');
      await load(A, o, 100, duration);
      ours.child.kill('SIGUSR2');
      for (let i = 0; i < 100 && !existsSync(profile); i++) await new Promise((r) => setTimeout(r, 100));
    }
    if (profile && existsSync(profile)) console.log(`\n${summarize(profile)}\n(kept in ${dir})`);
  } finally {
    await Promise.all(started.map((s) => s.stop()));
    if (!profile) rmSync(dir, { recursive: true, force: true });
  }
}
