/**
 * The realistic POC bench's report: ours and the reference side by side (read req/s, read and write
 * p50/p95/p99, CPU µs per request of the server and of its database), their ratio, the latency of each kind
 * of request, the issue's summary table, and the targets of issue #16.
 */
import type { MixOp } from './pocs-mix.ts';
import type { LatencySummary } from './pocs-load.ts';
import type { Tally } from './pocs-tally.ts';

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const mark = (ok: boolean) => (ok ? 'PASS' : 'MISS');
const lat = (l: LatencySummary) => [l.p50Ms, l.p95Ms, l.p99Ms].map((v) => fmt(v, 1).padStart(6)).join(' ');
const times = (a: number, b: number) => (b > 0 ? `${fmt(a / b, 2)}×` : '—');

const OPS: readonly MixOp[] = [
  'tag',
  'two-tags',
  'name',
  'language',
  'language+tag',
  'next-page',
  'create',
  'retag',
  'rename',
  'delete',
];

export interface Labels {
  /** e.g. "ours (sqlite)", "ours (cassandra+redis)". */
  readonly ours: string;
  /** Whether our database runs inside the server process (SQLite): no separate CPU figure. */
  readonly inProcess: boolean;
  readonly real: boolean;
}

function row(label: string, m: Tally, inProcess: boolean): string {
  const failed = m.failed + m.errors;
  return [
    label.padEnd(24),
    fmt(m.reads.perSecond).padStart(8),
    lat(m.reads),
    ' ',
    lat(m.writes),
    fmt(m.serverUs).padStart(9),
    (inProcess ? 'in-proc' : fmt(m.dbUs)).padStart(8),
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
    'ours / reference'.padEnd(24),
    times(a.reads.perSecond, b.reads.perSecond).padStart(8),
    l(a.reads, b.reads),
    ' ',
    l(a.writes, b.writes),
    times(a.serverUs, b.serverUs).padStart(9),
    (a.dbUs > 0 ? times(a.dbUs, b.dbUs) : '—').padStart(8),
    times(a.serverUs + a.dbUs, b.serverUs + b.dbUs).padStart(8),
  ].join(' ');
}

export function printComparison(a: Tally, b: Tally, labels: Labels): void {
  console.log(
    `\n${''.padEnd(24)} ${'read'.padStart(8)} ${'read latency ms'.padEnd(20)}   ${'write latency ms'.padEnd(20)} ${'CPU µs per request'.padStart(26)} ${'busy'.padStart(6)}`,
  );
  console.log(
    `${'target'.padEnd(24)} ${'req/s'.padStart(8)} ${'p50    p95    p99'.padStart(20)}   ${'p50    p95    p99'.padStart(20)} ${'server'.padStart(9)} ${'db'.padStart(8)} ${'total'.padStart(8)} ${'cores'.padStart(6)}`,
  );
  console.log(row(labels.ours, a, labels.inProcess));
  console.log(row('reference (pg)', b, false));
  console.log(ratioRow(a, b));
  const loadUs = (m: Tally) => m.loadCpuUs / m.requests;
  console.log(
    `(requests: ours ${fmt(a.requests)} (${fmt(a.writes.count)} writes), reference ${fmt(b.requests)} ` +
      `(${fmt(b.writes.count)} writes); the load generator's CPU: ${fmt(loadUs(a))} and ${fmt(loadUs(b))} µs ` +
      `per request; "busy cores": the whole machine during the measured slices, others' work included)`,
  );
  console.log(
    `(database processes with no load, over 2 s before the slices: ours ${fmt(a.idleDbCores, 2)} cores, ` +
      `reference ${fmt(b.idleDbCores, 2)} cores; background and other users' work, counted in "db" too)`,
  );
  // What the machine did besides the target, its database, the load generator and this process: other
  // people's work, and the kernel's (its I/O threads work for the target too, and cannot be told apart).
  const others = (m: Tally) =>
    (m.machineCpu - m.serverCpu - m.dbCpu - m.loadCpuUs / 1e6 - m.benchCpu) / m.wall;
  console.log(
    `(other work on the machine while measured: ${fmt(others(a), 2)} cores during ours, ` +
      `${fmt(others(b), 2)} during the reference's, kernel threads included; on a quiet machine both are near 0)`,
  );

  console.log(`\nlatency by kind of request, ms (ours | reference):`);
  console.log(
    `${'request'.padEnd(14)} ${'share'.padStart(6)} ${'p50    p95    p99'.padStart(20)}   ${'p50    p95    p99'.padStart(20)}`,
  );
  for (const op of OPS) {
    const [x, y] = [a.op(op), b.op(op)];
    if (x.count + y.count === 0) continue;
    const share = `${fmt((100 * x.count) / a.requests, 1)}%`;
    console.log(`${op.padEnd(14)} ${share.padStart(6)} ${lat(x)}   ${lat(y)}`);
  }
}

/** The summary in the issue's shape (markdown), for the closing note. */
export function printIssueTable(a: Tally, b: Tally, labels: Labels): void {
  const line = (label: string, m: Tally) =>
    `| ${label} | ${fmt(m.reads.perSecond)} | ${fmt(m.reads.p99Ms, 1)} ms | ${fmt(m.writes.p99Ms, 1)} ms | ` +
    `${fmt(m.serverUs + m.dbUs)} µs |`;
  console.log('\n| setup | read req/s | read p99 | write p99 | CPU per request (server + db) |');
  console.log('|---|---|---|---|---|');
  console.log(line(`this project, ${labels.real ? 'Cassandra + Redis + Kafka' : 'embedded'}`, a));
  console.log(line('node:http + pg reference, same data, same run', b));
}

export function printTargets(a: Tally, b: Tally, labels: Labels): void {
  const ratio = a.reads.perSecond / b.reads.perSecond;
  const want = labels.real ? 0.7 : 1.0;
  console.log(
    `\n  ${mark(ratio >= want)}  read req/s ≥ ${fmt(want, 1)}× the reference${labels.real ? ' with --real' : ' (embedded)'} (${fmt(ratio, 2)}×)`,
  );
  console.log(`  ${mark(a.reads.p99Ms < 50)}  read p99 < 50 ms (${fmt(a.reads.p99Ms, 1)} ms)`);
  console.log(`  ${mark(a.writes.p99Ms < 100)}  write p99 < 100 ms (${fmt(a.writes.p99Ms, 1)} ms)`);
}

/** Every round of one run, in markdown: the figures the closing note quotes. */
export function printRounds(rounds: readonly (readonly [Tally, Tally])[], labels: Labels): void {
  console.log(`\nall rounds (${labels.ours} vs reference (pg)):`);
  console.log(
    '| round | ours read req/s | reference read req/s | ratio | ours read p99 | ours write p99 | ' +
      'reference read p99 | reference write p99 | CPU µs/request ours | reference |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  rounds.forEach(([a, b], i) => {
    console.log(
      `| ${i + 1} | ${fmt(a.reads.perSecond)} | ${fmt(b.reads.perSecond)} | ` +
        `${times(a.reads.perSecond, b.reads.perSecond)} | ${fmt(a.reads.p99Ms, 1)} ms | ` +
        `${fmt(a.writes.p99Ms, 1)} ms | ${fmt(b.reads.p99Ms, 1)} ms | ${fmt(b.writes.p99Ms, 1)} ms | ` +
        `${fmt(a.serverUs + a.dbUs)} | ${fmt(b.serverUs + b.dbUs)} |`,
    );
  });
}
