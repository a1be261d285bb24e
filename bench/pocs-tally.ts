/**
 * What the measured slices of one target of the realistic POC mix add up to: every latency (reads, writes,
 * each kind of request), the answers' statuses, and the CPU that the server, its database and the whole
 * machine used meanwhile, read from /proc right before and after each slice.
 */
import type { MixOp } from './pocs-mix.ts';
import { latencySummary, type LatencySummary, type MixLoadResult } from './pocs-load.ts';
import { cpuOf, delta, machineBusy } from './proc.ts';

export interface SliceTarget {
  readonly serverPid: number;
  readonly dbPids: () => Promise<number[]>;
}

export class Tally {
  readonly readMs: number[] = [];
  readonly writeMs: number[] = [];
  readonly opMs: Partial<Record<MixOp, number[]>> = {};
  readonly statuses: Record<string, number> = {};
  failed = 0;
  errors = 0;
  seconds = 0;
  serverCpu = 0;
  dbCpu = 0;
  machineCpu = 0;
  wall = 0;
  loadCpuUs = 0;
  /** CPU of this process meanwhile (it reads and drops the server's access log, a line per request). */
  benchCpu = 0;
  /** Cores the database processes used with no load of ours, just before the slices (shared services!). */
  idleDbCores = 0;

  /** One slice of the measured load (`run`), charged the CPU each process used while it ran. */
  async slice(t: SliceTarget, run: () => Promise<MixLoadResult>): Promise<void> {
    const server = [t.serverPid];
    const db = await t.dbPids();
    const [s0, d0, m0, w0] = [cpuOf(server), cpuOf(db), machineBusy(), performance.now()];
    const own = process.cpuUsage();
    const r = await run();
    const [s1, d1, m1, w1] = [cpuOf(server), cpuOf(db), machineBusy(), performance.now()];
    const used = process.cpuUsage(own);
    this.benchCpu += (used.user + used.system) / 1e6;
    this.serverCpu += delta(s0, s1);
    this.dbCpu += delta(d0, d1);
    this.machineCpu += m1 - m0;
    this.wall += (w1 - w0) / 1000;
    this.seconds += r.seconds;
    for (const ms of r.readMs) this.readMs.push(ms);
    for (const ms of r.writeMs) this.writeMs.push(ms);
    for (const [op, list] of Object.entries(r.opMs) as [MixOp, number[]][]) {
      const into = (this.opMs[op] ??= []);
      for (const ms of list) into.push(ms);
    }
    for (const [status, n] of Object.entries(r.statuses))
      this.statuses[status] = (this.statuses[status] ?? 0) + n;
    this.failed += r.readFailed + r.writeFailed;
    this.errors += r.errors;
    this.loadCpuUs += r.cpuUs;
  }

  /** Cores the database used over `ms` with no load of ours: what others' work adds to its figure. */
  async idle(t: SliceTarget, ms: number): Promise<void> {
    const db = await t.dbPids();
    const before = cpuOf(db);
    await new Promise((r) => setTimeout(r, ms));
    this.idleDbCores = delta(before, cpuOf(db)) / (ms / 1000);
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
  op(op: MixOp): LatencySummary {
    return latencySummary(this.opMs[op] ?? [], 0, this.seconds);
  }
  get serverUs(): number {
    return (this.serverCpu * 1e6) / this.requests;
  }
  get dbUs(): number {
    return (this.dbCpu * 1e6) / this.requests;
  }
}
