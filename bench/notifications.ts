/**
 * Realtime push under load: 5,000 socket.io sockets connected to one node (`--users` users signed up
 * through the real endpoints, each with `sockets / users` sockets, as a user with several tabs and devices),
 * then `--rounds` bursts, each a `notification` to every user through `push.toUser` (the test-only trigger
 * `POST /test/push`, test/push/trigger-module.ts), so 5,000 deliveries per burst. Each notification carries
 * the time of its own `toUser` call; the client takes its arrival time on the same machine's clock.
 *
 * The server (test/push/server.ts: the whole system, api role, embedded store) runs in a child process; the
 * clients run in this one. Reported: delivery latency publish → arrival (p50/p99/max), the server's CPU
 * during the bursts and while idle (from /proc/<pid>/stat), its RSS and V8 heap growth per connected idle
 * socket. With `--real` (REDIS_URL set), every emit goes through the Redis Streams backplane.
 *
 *   npm run bench -- notifications [--sockets 5000] [--users 1000] [--rounds 10] [--gap-ms 1000] [--real]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { io, type Socket } from 'socket.io-client';
import { uniqueName } from '../test/support/services.ts';
import { spawnSystem } from '../test/support/system.ts';
import { stamp } from '../test/push/trigger-module.ts';
import { option } from './args.ts';
import { cpuSeconds, rssBytes } from './proc.ts';

/** Runs `fn` over `items`, `concurrency` at a time. */
async function pool<T, R>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<R>) {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return out;
}

async function post(url: string, route: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(url + route, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status >= 300) throw new Error(`${route} ${res.status}: ${JSON.stringify(json).slice(0, 200)}`);
  return json;
}

interface BenchUser {
  readonly userId: string;
  readonly token: string;
}

/** Signs `count` users up, confirms them (links read from the embedded outbox, indexed once) and logs them in. */
async function signUp(url: string, dataDir: string, count: number): Promise<BenchUser[]> {
  const run = Math.random().toString(36).slice(2, 6);
  const password = `Bench-${Math.random().toString(36).slice(2)}-pw`;
  const names = Array.from({ length: count }, (_, i) => `n${run}${i}`);
  await pool(names, 16, (username) =>
    post(url, '/v1/account', {
      firstName: 'Bench',
      lastName: 'User',
      email: `${username}@bench.test`,
      username,
      password,
    }),
  );
  const links = new Map<string, string>();
  const outbox = path.join(dataDir, 'outbox');
  for (const file of readdirSync(outbox)) {
    const raw = readFileSync(path.join(outbox, file), 'utf8')
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
    const to = /^To: .*?([^\s<>]+)@bench\.test/im.exec(raw)?.[1];
    const token = /[?&]token=([A-Za-z0-9_-]+)/.exec(raw)?.[1];
    if (to && token) links.set(to, token);
  }
  return pool(names, 16, async (username) => {
    const token = links.get(username);
    if (!token) throw new Error(`no confirmation link for ${username}`);
    await post(url, '/v1/account/confirm', { token });
    const login = await post(url, '/v1/login', { username, password });
    return { userId: String(login.userId), token: String(login.token) };
  });
}

function connectSocket(
  url: string,
  token: string,
  onNotification: (sentAt: number) => void,
): Promise<Socket> {
  const socket = io(url, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: 20_000,
  });
  socket.on('notification' as never, (n: { data?: { sentAt?: string } }) =>
    onNotification(Number(n.data?.sentAt)),
  );
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (e) => reject(e));
  });
}

async function dropKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true });
  try {
    await redis.connect();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

/** A gauge or counter's value in the Prometheus text of /metrics. */
async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text)?.[1] ?? NaN);
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;

export async function run(args: readonly string[]): Promise<void> {
  const socketsWanted = Number(option(args, '--sockets', '5000'));
  const usersCount = Number(option(args, '--users', '1000'));
  const rounds = Number(option(args, '--rounds', '10'));
  const gapMs = Number(option(args, '--gap-ms', '1000'));
  const real = args.includes('--real');
  const perUser = Math.max(1, Math.round(socketsWanted / usersCount));
  if (real && !process.env.REDIS_URL) {
    console.log('--real needs REDIS_URL (eval "$(bash scripts/services/all.sh env)")');
    return;
  }

  const dataDir = mkdtempSync(path.join(tmpdir(), 'dojo-bench-push-'));
  const prefix = `${uniqueName('bench_push')}:`;
  const server = await spawnSystem(
    {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      ROLES: 'api',
      DATA_DIR: dataDir,
      DOJO_TEST_SIGNUP_LIMIT: String(usersCount + 10),
      CASSANDRA_CONTACT_POINTS: undefined,
      KAFKA_BROKERS: undefined,
      S3_ENDPOINT: undefined,
      SMTP_URL: undefined,
      REDIS_URL: real ? process.env.REDIS_URL : undefined,
      REDIS_KEY_PREFIX: prefix,
    },
    { entry: 'test/push/server.ts', timeoutMs: 120_000 },
  );
  const pid = server.child.pid!;
  const sockets: Socket[] = [];
  try {
    const seedStarted = performance.now();
    const users = await signUp(server.url, dataDir, usersCount);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    await sleep(2000);
    const rssBefore = rssBytes(pid);
    const heapBefore = await metric(server.url, 'dojo_nodejs_heap_size_used_bytes');

    const latencies: number[] = [];
    let measuring = false;
    let received = 0;
    let lastArrival = 0;
    const onNotification = (sentAt: number) => {
      const now = stamp();
      received++;
      lastArrival = now;
      if (measuring && Number.isFinite(sentAt)) latencies.push(now - sentAt);
    };
    const connectStarted = performance.now();
    const seats = users.flatMap((u) => Array.from({ length: perUser }, () => u));
    sockets.push(...(await pool(seats, 50, (u) => connectSocket(server.url, u.token, onNotification))));
    const connectSeconds = (performance.now() - connectStarted) / 1000;
    const connected = await metric(server.url, 'dojo_push_sockets');

    // Idle: only engine.io's heartbeats (one ping per socket every 25 s).
    await sleep(3000);
    const idleWindow = 5;
    const idleCpu0 = cpuSeconds(pid);
    await sleep(idleWindow * 1000);
    const idleCpuPercent = (100 * (cpuSeconds(pid) - idleCpu0)) / idleWindow;
    const rssAfter = rssBytes(pid);
    const heapAfter = await metric(server.url, 'dojo_nodejs_heap_size_used_bytes');

    // One warm-up burst, not measured.
    const userIds = users.map((u) => u.userId);
    await post(server.url, '/test/push', { userIds });
    await sleep(gapMs);
    received = 0;
    measuring = true;
    const cpu0 = cpuSeconds(pid);
    const client0 = process.cpuUsage();
    const wall0 = stamp();
    for (let r = 0; r < rounds; r++) {
      await post(server.url, '/test/push', { userIds });
      if (r < rounds - 1) await sleep(gapMs);
    }
    const expected = rounds * sockets.length;
    const deadline = Date.now() + 10_000;
    while (received < expected && Date.now() < deadline) await sleep(20);
    const burstEnd = Math.max(lastArrival, wall0);
    const wall = (stamp() - wall0) / 1000;
    const cpu = cpuSeconds(pid) - cpu0;
    const clientCpu = process.cpuUsage(client0);
    measuring = false;
    const sorted = latencies.sort((a, b) => a - b);
    const p50 = percentile(sorted, 0.5);
    const p99 = percentile(sorted, 0.99);
    const rssPerSocketKb = (rssAfter - rssBefore) / 1024 / sockets.length;
    const heapPerSocketKb = (heapAfter - heapBefore) / 1024 / sockets.length;

    console.log(
      `\nRealtime push: ${fmt(sockets.length)} sockets on one node (${fmt(usersCount)} users × ${perUser}), ` +
        `${rounds} bursts of one notification per user (${fmt(usersCount)} toUser calls, ` +
        `${fmt(usersCount * perUser)} deliveries each) every ${gapMs} ms; ` +
        `${real ? 'Redis Streams backplane' : 'in-memory adapter'}; server and clients in separate processes\n`,
    );
    const rows: [string, string][] = [
      ['sign-ups (s)', fmt(seedSeconds, 1)],
      ['connect all (s)', fmt(connectSeconds, 1)],
      ['sockets (server gauge)', fmt(connected)],
      ['server CPU idle', `${fmt(idleCpuPercent, 1)}%`],
      ['RSS per idle socket', `${fmt(rssPerSocketKb, 1)} KB`],
      ['heap per idle socket', `${fmt(heapPerSocketKb, 1)} KB`],
      ['deliveries', `${fmt(received)} / ${fmt(expected)}`],
      ['latency p50 (ms)', fmt(p50, 1)],
      ['latency p99 (ms)', fmt(p99, 1)],
      ['latency max (ms)', fmt(sorted.at(-1) ?? NaN, 1)],
      ['server CPU, bursts', `${fmt(cpu, 2)} s over ${fmt(wall, 1)} s (${fmt((100 * cpu) / wall, 1)}%)`],
      ['server CPU per 1k deliveries', `${fmt((1000 * 1000 * cpu) / Math.max(1, received), 1)} ms`],
      ['client CPU, bursts', `${fmt((clientCpu.user + clientCpu.system) / 1e6, 2)} s`],
      ['last arrival after start (s)', fmt((burstEnd - wall0) / 1000, 2)],
    ];
    for (const [k, v] of rows) console.log(`  ${k.padEnd(30)}${v}`);
    const mark = (ok: boolean) => (ok ? 'PASS' : 'MISS');
    console.log(`\n  ${mark(p99 < 250)}  delivery p99 < 250 ms (${fmt(p99, 1)} ms)`);
    console.log(`  ${mark(rssPerSocketKb < 30)}  < 30 KB RSS per idle socket (${fmt(rssPerSocketKb, 1)} KB)`);
    console.log(
      `  ${mark(received === expected)}  every event delivered (${fmt(received)} / ${fmt(expected)})`,
    );
  } finally {
    for (const s of sockets) s.disconnect();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (real) await dropKeys(String(process.env.REDIS_URL), prefix);
  }
}
