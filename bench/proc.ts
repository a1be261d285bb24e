/**
 * What /proc says of processes, for benchmarks that charge a server (and its database) by CPU and memory:
 * a process's user + system time (all its threads), its resident set, the whole machine's busy time, and
 * processes found by their command line.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const TICK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // After the command name (in parentheses, which may hold anything): state, …, utime (12th), stime.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICK;
}

export function rssBytes(pid: number): number {
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) * 1024;
}

/** CPU seconds of each process, 0 for one gone meanwhile. */
export const cpuOf = (pids: readonly number[]) =>
  new Map(
    pids.map((p) => {
      try {
        return [p, cpuSeconds(p)];
      } catch {
        return [p, 0];
      }
    }),
  );

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

/** The highest resident set a process has had (VmHWM), by default this one's. */
export function peakRssBytes(pid: number | 'self' = 'self'): number {
  const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) * 1024;
}
