/**
 * Live dojo rooms under load (issue #5): N simulated participants in rooms of five. In each room the pilot
 * types a line every 200 ms (the whole buffer, its last 20 lines, is sent as `code`, stamped with the send
 * time) and one participant, in turn, chats every 2 s. The server (embedded store, rooms role) runs in a
 * child process; the simulated @colyseus/sdk clients run in this one. Reported: the server's CPU (from
 * /proc/<pid>/stat over the measured window), its RSS growth per client, and the edit-to-arrival latency
 * at the four other clients of the room (p50/p99/max).
 *
 *   npm run bench -- rooms [--clients=1000,2000] [--duration 20] [--chat-every 2000]
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, type Room } from '@colyseus/sdk';
import { DOJO_ROOM, SERVER_MESSAGES } from '../protocol/dojo.ts';
import { option } from './args.ts';
import { serve } from './processes.ts';
import { cpuSeconds, rssBytes } from './proc.ts';
import type { Loop, ServerInfo } from './rooms-server.ts';
import { pool, seedRooms, type BenchRoom } from './rooms-seed.ts';

const TYPE_EVERY_MS = 200;
const LINES_KEPT = 20;

interface Sim {
  readonly latencies: number[];
  errors: number;
  measuring: boolean;
  readonly timers: NodeJS.Timeout[];
}

/** Joins one room: the owner first (the first to join pilots), then the four members. */
async function joinRoom(url: string, room: BenchRoom, sim: Sim): Promise<Room[]> {
  const joinAs = async (token: string) => {
    const client = new Client(url);
    client.auth.token = token;
    const r = await client.joinOrCreate(DOJO_ROOM, { dojoId: room.dojoId });
    r.onMessage(SERVER_MESSAGES.error, () => sim.errors++);
    return r;
  };
  const [owner, ...members] = room.users;
  const pilot = await joinAs(owner!.token);
  return [pilot, ...(await Promise.all(members.map((m) => joinAs(m.token))))];
}

/** The pilot types, a participant chats in turn, the others time every edit they see arrive. */
function simulate(rooms: Room[][], chatEveryMs: number, sim: Sim): void {
  for (const [index, seats] of rooms.entries()) {
    const [pilot, ...others] = seats as [Room, ...Room[]];
    for (const r of others) {
      let last = '';
      r.onStateChange((state: { code?: string }) => {
        const code = state.code ?? '';
        if (code === last) return;
        last = code;
        const sent = Number(code.slice(code.lastIndexOf('t=') + 2));
        if (sim.measuring && Number.isFinite(sent)) sim.latencies.push(performance.now() - sent);
      });
    }
    const lines: string[] = [];
    let typed = 0;
    const offset = (index * 37) % TYPE_EVERY_MS;
    sim.timers.push(
      setTimeout(() => {
        sim.timers.push(
          setInterval(() => {
            lines.push(`const line${typed++} = ${typed * 7}; // t=${performance.now().toFixed(3)}`);
            if (lines.length > LINES_KEPT) lines.shift();
            pilot.send('code', { text: lines.join('\n') });
          }, TYPE_EVERY_MS),
        );
      }, offset),
    );
    let chats = 0;
    sim.timers.push(
      setTimeout(
        () => {
          sim.timers.push(
            setInterval(() => {
              const from = seats[chats++ % seats.length]!;
              from.send('chat', { text: `message ${chats} in room ${index}` });
            }, chatEveryMs),
          );
        },
        (index * 53) % chatEveryMs,
      ),
    );
  }
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;

interface Result {
  readonly clients: number;
  readonly cpuPercent: number;
  readonly rssPerClientKb: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly samples: number;
  readonly errors: number;
  readonly joinSeconds: number;
  readonly clientCpuPercent: number;
  readonly serverLoop: Loop;
  readonly clientLoop: Loop;
}

async function measure(clients: number, durationSeconds: number, chatEveryMs: number): Promise<Result> {
  const server = await serve<ServerInfo>(path.join(import.meta.dirname, 'rooms-server.ts'), [], process.env);
  const pid = server.child.pid!;
  const sim: Sim = { latencies: [], errors: 0, measuring: false, timers: [] };
  let rooms: Room[][] = [];
  try {
    const seeded = await seedRooms(server.info.url, server.info.dataDir, Math.ceil(clients / 5));
    await sleep(1000);
    const rssBefore = rssBytes(pid);
    const joinStarted = performance.now();
    rooms = await pool(seeded, 20, (room) => joinRoom(server.info.url, room, sim));
    const joinSeconds = (performance.now() - joinStarted) / 1000;
    simulate(rooms, chatEveryMs, sim);
    await sleep(3000);
    sim.measuring = true;
    await fetch(`${server.info.url}/bench/loop`, { method: 'POST' });
    const clientLoop = monitorEventLoopDelay({ resolution: 5 });
    clientLoop.enable();
    const cpu0 = cpuSeconds(pid);
    const client0 = process.cpuUsage();
    const wall0 = performance.now();
    await sleep(durationSeconds * 1000);
    const wall = (performance.now() - wall0) / 1000;
    const cpu = cpuSeconds(pid) - cpu0;
    const clientCpu = process.cpuUsage(client0);
    sim.measuring = false;
    clientLoop.disable();
    const loopRes = await fetch(`${server.info.url}/bench/loop`, { method: 'POST' });
    const serverLoop = (await loopRes.json()) as Loop;
    const rssAfter = rssBytes(pid);
    const sorted = sim.latencies.sort((a, b) => a - b);
    return {
      clients: rooms.length * 5,
      cpuPercent: (100 * cpu) / wall,
      rssPerClientKb: (rssAfter - rssBefore) / 1024 / (rooms.length * 5),
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      max: sorted.at(-1) ?? NaN,
      samples: sorted.length,
      errors: sim.errors,
      joinSeconds,
      clientCpuPercent: (100 * (clientCpu.user + clientCpu.system)) / 1e6 / wall,
      serverLoop,
      clientLoop: {
        p50: clientLoop.percentile(50) / 1e6,
        p99: clientLoop.percentile(99) / 1e6,
        max: clientLoop.max / 1e6,
      },
    };
  } finally {
    for (const t of sim.timers) clearTimeout(t);
    await Promise.allSettled(rooms.flat().map((r) => r.leave()));
    await server.stop();
  }
}

export async function run(args: readonly string[]): Promise<void> {
  const sizes = option(args, '--clients', '1000,2000')
    .split(',')
    .map(Number)
    .filter((n) => n >= 5);
  const duration = Number(option(args, '--duration', '20'));
  const chatEvery = Number(option(args, '--chat-every', '2000'));
  const results: Result[] = [];
  for (const size of sizes) results.push(await measure(size, duration, chatEvery));

  console.log(
    `\nLive dojo rooms: rooms of 5, the pilot types a line every ${TYPE_EVERY_MS} ms (whole buffer, last ` +
      `${LINES_KEPT} lines), one chat per room every ${chatEvery} ms; ${duration} s measured after a 3 s warm-up; ` +
      'embedded store; server and clients in separate processes\n',
  );
  const head = [
    'clients',
    'server CPU',
    'RSS/client',
    'p50 ms',
    'p99 ms',
    'max ms',
    'edits seen',
    'errors',
    'join s',
    'client CPU',
  ];
  console.log(head.map((h) => h.padStart(11)).join(''));
  for (const r of results) {
    const cells = [
      fmt(r.clients),
      `${fmt(r.cpuPercent, 1)}%`,
      `${fmt(r.rssPerClientKb, 1)} KB`,
      fmt(r.p50, 1),
      fmt(r.p99, 1),
      fmt(r.max, 1),
      fmt(r.samples),
      fmt(r.errors),
      fmt(r.joinSeconds, 1),
      `${fmt(r.clientCpuPercent, 1)}%`,
    ];
    console.log(cells.map((c) => c.padStart(11)).join(''));
  }
  console.log('\nevent-loop delay p50 / p99 / max (ms), over the measured window:');
  for (const r of results) {
    const l = (x: Loop) => `${fmt(x.p50, 1)} / ${fmt(x.p99, 1)} / ${fmt(x.max, 1)}`;
    const gcs = `GC ${fmt(r.serverLoop.gcMs ?? 0)} ms in all, longest ${fmt(r.serverLoop.gcMaxMs ?? 0, 1)} ms`;
    console.log(
      `  ${fmt(r.clients).padStart(6)} clients: server ${l(r.serverLoop)} (${gcs}); simulated clients ${l(r.clientLoop)}`,
    );
  }
  const top = results.find((r) => r.clients >= 2000);
  if (top) {
    const mark = (ok: boolean) => (ok ? 'PASS' : 'MISS');
    console.log(
      `\n  ${mark(top.cpuPercent < 100)}  ${fmt(top.clients)} participants on one node under one core (${fmt(top.cpuPercent, 1)}%)`,
    );
    console.log(`  ${mark(top.p99 < 100)}  edit-to-arrival p99 < 100 ms (${fmt(top.p99, 1)} ms)`);
  }
}
