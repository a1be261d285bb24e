/**
 * POC search, a benchmark that tells the truth (issue #16): many users, a realistic mix of searches and
 * writes, and a competent reference implementation (node:http + pg on PostgreSQL, `pocs-reference.ts`)
 * measured in the same run with the same load. Run by `npm run bench -- pocs` after the cached-pages run.
 *
 * Data: `--users` (100) × `--pocs-per-user` (300) POCs from the seeded generator (`--seed`, 1) of
 * `pocs-mix.ts`: ours signed up and seeded through the API, the reference loaded by batched INSERTs. Before
 * any write, a sample of the mix's searches is asked of both, every page followed, and the answers compared.
 * Load (`pocs-load.ts`): 50 connections, each request a random user's search (40 % one tag, 20 % two tags,
 * 20 % a name substring, 10 % a language, 10 % language + tag) or, 5 % of them, a write (POST or PATCH).
 * Both targets run side by side (idle while the other is measured): a 3 s warm-up each on other request
 * streams, then `--duration` (10) s per target in `--slices` (4) slices taken in turns, A B B A …, the same
 * request streams for both, so that the rest of a shared machine weighs on both alike. CPU per request from
 * /proc: the server process (with the embedded store, SQLite runs inside it) and its database (Cassandra's
 * JVM + Redis with `--real`; the reference's PostgreSQL backends + walwriter, checkpointer, background writer).
 * `--profile` adds a profiled run of our server (V8 CPU profiler, `--duration` s of the same mix; not in the
 * figures) and prints where its time went.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hash, inFlight, readQuery, rng, type MixOptions, type MixUser } from './pocs-mix.ts';
import { latencySummary, mixLoad, type LatencySummary } from './pocs-load.ts';
import type { OursInfo } from './pocs-ours.ts';
import { summarize } from './pocs-profile.ts';
import { numberOption } from './args.ts';
import { serve, type Served } from './processes.ts';
import { cpuOf, delta, machineBusy, pidsMatching } from './proc.ts';
import { postgresPids } from './proc-cpu.ts';

const CONNECTIONS = 50;
const WARM_UP_SECONDS = 3;
const CHECKS = 200;

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

interface Target {
  readonly served: Served<{ url: string }>;
  readonly usersFile: string;
  readonly dbPids: () => Promise<number[]>;
}

/** What the slices of one target add up to. */
class Tally {
  readonly readMs: number[] = [];
  readonly writeMs: number[] = [];
  readonly statuses: Record<string, number> = {};
  failed = 0;
  errors = 0;
  seconds = 0;
  serverCpu = 0;
  dbCpu = 0;
  machineCpu = 0;
  wall = 0;
  loadCpuUs = 0;
  /** Cores the database processes used with no load of ours, just before the slices (shared services!). */
  idleDbCores = 0;
  answers: string[] = [];

  /** One slice of the measured load: CPU read from /proc right before and after it. */
  async slice(t: Target, o: MixOptions, stream: number, seconds: number): Promise<void> {
    const server = [t.served.child.pid as number];
    const db = await t.dbPids();
    const [s0, d0, m0, w0] = [cpuOf(server), cpuOf(db), machineBusy(), performance.now()];
    const r = await load(t, o, stream, seconds);
    const [s1, d1, m1, w1] = [cpuOf(server), cpuOf(db), machineBusy(), performance.now()];
    this.serverCpu += delta(s0, s1);
    this.dbCpu += delta(d0, d1);
    this.machineCpu += m1 - m0;
    this.wall += (w1 - w0) / 1000;
    this.seconds += r.seconds;
    for (const ms of r.readMs) this.readMs.push(ms);
    for (const ms of r.writeMs) this.writeMs.push(ms);
    for (const [status, n] of Object.entries(r.statuses))
      this.statuses[status] = (this.statuses[status] ?? 0) + n;
    this.failed += r.readFailed + r.writeFailed;
    this.errors += r.errors;
    this.loadCpuUs += r.cpuUs;
  }

  get requests(): number {
    return this.readMs.length + this.writeMs.length;
  }
  get reads(): LatencySummary {
    return latencySummary(this.readMs, 0, this.seconds);
  }
  get writes(): LatencySummary {
    return latencySummary(this.writeMs, 0, this.seconds);
  }
  get serverUs(): number {
    return (this.serverCpu * 1e6) / this.requests;
  }
  get dbUs(): number {
    return (this.dbCpu * 1e6) / this.requests;
  }
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

async function prepare(t: Target, o: MixOptions, tally: Tally): Promise<void> {
  const users = (JSON.parse(readFileSync(t.usersFile, 'utf8')) as { users: MixUser[] }).users;
  tally.answers = await answersOf(t.served.info.url, users, o);
  await load(t, o, 1, WARM_UP_SECONDS);
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const mark = (ok: boolean) => (ok ? 'PASS' : 'MISS');
const lat = (l: LatencySummary) => [l.p50Ms, l.p95Ms, l.p99Ms].map((v) => fmt(v, 1).padStart(6)).join(' ');
const times = (a: number, b: number) => (b > 0 ? `${fmt(a / b, 2)}×` : '—');

function row(label: string, m: Tally, embedded: boolean): string {
  const failed = m.failed + m.errors;
  return [
    label.padEnd(22),
    fmt(m.reads.perSecond).padStart(8),
    lat(m.reads),
    ' ',
    lat(m.writes),
    fmt(m.serverUs).padStart(9),
    (embedded ? 'in-proc' : fmt(m.dbUs)).padStart(8),
    fmt(m.serverUs + m.dbUs).padStart(8),
    fmt(m.machineCpu / m.wall, 2).padStart(6),
    failed ? `  ${failed} failed ${JSON.stringify(m.statuses)}` : '',
  ].join(' ');
}

function ratioRow(a: Tally, b: Tally): string {
  const l = (x: LatencySummary, y: LatencySummary) =>
    [times(x.p50Ms, y.p50Ms), times(x.p95Ms, y.p95Ms), times(x.p99Ms, y.p99Ms)]
      .map((s) => s.padStart(6))
      .join(' ');
  return [
    'ours / reference'.padEnd(22),
    times(a.reads.perSecond, b.reads.perSecond).padStart(8),
    l(a.reads, b.reads),
    ' ',
    l(a.writes, b.writes),
    times(a.serverUs, b.serverUs).padStart(9),
    (a.dbUs > 0 ? times(a.dbUs, b.dbUs) : '—').padStart(8),
    times(a.serverUs + a.dbUs, b.serverUs + b.dbUs).padStart(8),
  ].join(' ');
}

export async function runRealistic(args: readonly string[], real: boolean): Promise<void> {
  const o: MixOptions = {
    seed: numberOption(args, '--seed', 1),
    users: numberOption(args, '--users', 100),
    pocsPerUser: numberOption(args, '--pocs-per-user', 300),
    writes: 0.05,
  };
  const duration = numberOption(args, '--duration', 10);
  const slices = Math.round(numberOption(args, '--slices', 4));
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
        [JSON.stringify({ ...o, usersFile: oursFile, real, ...(profile ? { profile } : {}) })],
        process.env,
        900_000,
      ),
      serve<{ url: string; database: string; seedSeconds: number }>(
        path.join(here, 'pocs-reference.ts'),
        [JSON.stringify({ ...o, usersFile: refFile })],
        process.env,
      ),
    ]);
    for (const s of settled) if (s.status === 'fulfilled') started.push(s.value);
    for (const s of settled) if (s.status === 'rejected') throw s.reason;
    const [ours, reference] = settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as [
      Served<OursInfo>,
      Served<{ url: string; database: string; seedSeconds: number }>,
    ];
    const port = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379').port || '6379';
    const realDb = async () => [
      ...pidsMatching((c) => c.includes('-Ddojo.service=cassandra')),
      ...pidsMatching((c) => c.startsWith('redis-server') && c.includes(`:${port}`)),
    ];
    const A: Target = { served: ours, usersFile: oursFile, dbPids: real ? realDb : async () => [] };
    const B: Target = {
      served: reference,
      usersFile: refFile,
      dbPids: () => postgresPids(reference.info.database),
    };
    const [a, b] = [new Tally(), new Tally()];
    await prepare(A, o, a);
    await prepare(B, o, b);
    for (const [t, tally] of [
      [A, a],
      [B, b],
    ] as const) {
      const db = await t.dbPids();
      const before = cpuOf(db);
      await new Promise((r) => setTimeout(r, 2000));
      tally.idleDbCores = delta(before, cpuOf(db)) / 2;
    }
    // Slices in the order A B B A A B …: a machine getting busier or quieter meanwhile weighs on both alike.
    for (let k = 0; k < slices; k++) {
      const order: [Target, Tally][] =
        k % 2 === 0
          ? [
              [A, a],
              [B, b],
            ]
          : [
              [B, b],
              [A, a],
            ];
      for (const [t, tally] of order) await tally.slice(t, o, 2 + k, duration / slices);
    }
    if (profile) {
      ours.child.kill('SIGUSR2');
      await load(A, o, 100, duration);
      ours.child.kill('SIGUSR2');
      for (let i = 0; i < 100 && !existsSync(profile); i++) await new Promise((r) => setTimeout(r, 100));
    }

    const agree = a.answers.filter((x, i) => x === b.answers[i]).length;
    console.log(
      `\nPOC search, realistic mix (${o.users} users × ${o.pocsPerUser} POCs, seed ${o.seed}): ${CONNECTIONS} connections, ` +
        `${WARM_UP_SECONDS} s of warm-up, then ${duration} s measured per target in ${slices} slices taken in turns ` +
        `(ABBA); ${100 * (1 - o.writes)} % reads (40 % one tag, 20 % two tags, 20 % name, 10 % language, ` +
        `10 % language + tag), ${100 * o.writes} % writes (POST/PATCH)`,
    );
    console.log(
      `ours: ${ours.info.store} + ${ours.info.cache}, ${o.users} sign-ups in ${fmt(ours.info.signUpSeconds, 1)} s, ` +
        `POCs seeded through the API in ${fmt(ours.info.seedSeconds, 1)} s; reference: node:http + pg, ` +
        `loaded and indexed in ${fmt(reference.info.seedSeconds, 1)} s`,
    );
    console.log(`answers agree on ${agree}/${CHECKS} sample searches (every page, limit 100)`);
    const differ = a.answers.flatMap((x, i) => (x === b.answers[i] ? [] : [[x, b.answers[i] ?? '']]));
    for (const [x, y] of differ.slice(0, 5))
      console.log(`  differs: ours      ${x?.slice(0, 150)}\n           reference ${y?.slice(0, 150)}`);
    console.log(
      `\n${''.padEnd(22)} ${'read'.padStart(8)} ${'read latency ms'.padEnd(20)}   ${'write latency ms'.padEnd(20)} ${'CPU µs per request'.padStart(26)} ${'busy'.padStart(6)}`,
    );
    console.log(
      `${'target'.padEnd(22)} ${'req/s'.padStart(8)} ${'p50    p95    p99'.padStart(20)}   ${'p50    p95    p99'.padStart(20)} ${'server'.padStart(9)} ${'db'.padStart(8)} ${'total'.padStart(8)} ${'cores'.padStart(6)}`,
    );
    console.log(row(`ours (${real ? 'cassandra+redis' : ours.info.store})`, a, !real));
    console.log(row('reference (pg)', b, false));
    console.log(ratioRow(a, b));
    const loadUs = (m: Tally) => m.loadCpuUs / m.requests;
    console.log(
      `(writes: ours ${fmt(a.writes.count)}, reference ${fmt(b.writes.count)}; the load generator's CPU: ` +
        `${fmt(loadUs(a))} and ${fmt(loadUs(b))} µs per request; "busy cores": the whole machine during the ` +
        `measured slices, others' work included)`,
    );
    console.log(
      `(database processes with no load, over 2 s before the slices: ours ${fmt(a.idleDbCores, 2)} cores, ` +
        `reference ${fmt(b.idleDbCores, 2)} cores; background and other users' work, counted in "db" too)`,
    );
    const ratio = a.reads.perSecond / b.reads.perSecond;
    const want = real ? 0.7 : 1.0;
    console.log(
      `  ${mark(ratio >= want)}  read req/s ≥ ${fmt(want, 1)}× the reference${real ? ' with --real' : ' (embedded)'} (${fmt(ratio, 2)}×)`,
    );
    console.log(`  ${mark(a.reads.p99Ms < 50)}  read p99 < 50 ms (${fmt(a.reads.p99Ms, 1)} ms)`);
    console.log(`  ${mark(a.writes.p99Ms < 100)}  write p99 < 100 ms (${fmt(a.writes.p99Ms, 1)} ms)`);
    if (profile && existsSync(profile)) console.log(`\n${summarize(profile)}\n(kept in ${dir})`);
  } finally {
    await Promise.all(started.map((s) => s.stop()));
    if (!profile) rmSync(dir, { recursive: true, force: true });
  }
}
