/**
 * CPU time of processes from /proc, for benchmarks that charge a server and its database per request: a
 * process's user + system time (all its threads), the whole machine's busy time, processes found by their
 * command line, and the PostgreSQL processes that serve one database.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';

const TICK = Number(execFileSync('getconf', ['CLK_TCK']).toString()) || 100;

const cpuSeconds = (pid: number): number => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the command name (in parentheses, which may hold anything): state, …, utime (12th), stime.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICK;
  } catch {
    return 0;
  }
};
export const cpuOf = (pids: readonly number[]) => new Map(pids.map((p) => [p, cpuSeconds(p)]));
/** CPU seconds between two readings, over the processes alive at both. */
export const delta = (a: Map<number, number>, b: Map<number, number>) =>
  [...b].reduce((sum, [pid, s]) => sum + (a.has(pid) && s > 0 ? s - (a.get(pid) as number) : 0), 0);
export const machineBusy = (): number => {
  const [, ...t] = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/) ?? [];
  const n = t.map(Number);
  // user, nice, system, irq, softirq (not idle, iowait, steal; guest time is already in user).
  return [0, 1, 2, 5, 6].reduce((sum, i) => sum + (n[i] ?? 0), 0) / TICK;
};

export function pidsMatching(test: (cmdline: string) => boolean): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (test(readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ')))
        pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

const PG = {
  host: process.env.PGHOST ?? '127.0.0.1',
  port: Number(process.env.PGPORT ?? 5432),
  user: process.env.PGUSER ?? 'postgres',
};

export async function postgresPids(database: string): Promise<number[]> {
  const admin = new pg.Client({ ...PG, database: 'postgres' });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ pid: number }>(
      `select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()
         or backend_type in ('walwriter', 'checkpointer', 'background writer')`,
      [database],
    );
    return rows.map((r) => r.pid);
  } finally {
    await admin.end();
  }
}
