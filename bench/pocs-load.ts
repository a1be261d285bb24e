/**
 * The load loop of the realistic POC mix, in a process of its own (`mixLoad()` spawns this file). Autocannon
 * cannot time reads and writes apart, so this is a small HTTP/1.1 keep-alive client on raw sockets (cheaper
 * than node:http's client, so the generator takes as little of the shared cores as it can): `connections`
 * sockets, each sending its own seeded stream of requests (`nextRequest`) one after the other, each with the
 * token of the user it drew. Prints one JSON line: reads and writes timed separately.
 */
import { runChild } from './processes.ts';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { hash, nextRequest, rng, type MixOptions, type MixRequest, type MixUser } from './pocs-mix.ts';

export interface MixLoadOptions extends MixOptions {
  readonly url: string;
  /** A JSON file `{users: MixUser[]}`, users in generator order. */
  readonly usersFile: string;
  readonly connections: number;
  readonly durationSeconds: number;
  /** Which request streams the connections draw (the warm-up draws others than the measured run). */
  readonly stream: number;
}

export interface LatencySummary {
  readonly count: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  /** Answers other than 2xx (a 404 on a PATCH of a POC deleted meanwhile would count here too). */
  readonly failed: number;
}

/** One run of the load: every latency kept (ms, 0.01 ms steps), so that runs can be merged. */
export interface MixLoadResult {
  readonly seconds: number;
  readonly readMs: number[];
  readonly writeMs: number[];
  readonly readFailed: number;
  readonly writeFailed: number;
  /** Socket errors and closed connections. */
  readonly errors: number;
  /** CPU of the load generator itself during the run, µs. */
  readonly cpuUs: number;
  readonly statuses: Record<string, number>;
}

export function mixLoad(options: MixLoadOptions): Promise<MixLoadResult> {
  return runChild<MixLoadResult>(import.meta.filename, options, 'mix load');
}

const HEAD_END = Buffer.from('\r\n\r\n');
const CHUNKED_END = Buffer.from('\r\n0\r\n\r\n');

/** One keep-alive connection: `send` resolves with the status once the whole answer has arrived. */
class Connection {
  #socket: Socket | undefined;
  #buffer: Buffer = Buffer.alloc(0);
  #pending: { resolve: (status: number) => void; reject: (e: Error) => void } | undefined;
  readonly #host: string;
  readonly #port: number;

  constructor(url: URL) {
    this.#host = url.hostname;
    this.#port = Number(url.port);
  }

  #open(): Socket {
    const socket = connect({ host: this.#host, port: this.#port, noDelay: true });
    socket.on('data', (d: Buffer) => this.#data(d));
    const fail = (error: Error) => {
      this.#socket = undefined;
      const pending = this.#pending;
      this.#pending = undefined;
      pending?.reject(error);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
    return (this.#socket = socket);
  }

  send(req: MixRequest, token: string): Promise<number> {
    const body = req.body ?? '';
    const head =
      `${req.method} ${req.path} HTTP/1.1\r\nhost: ${this.#host}:${this.#port}\r\n` +
      `authorization: Bearer ${token}\r\n` +
      (req.body === undefined
        ? '\r\n'
        : `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`);
    this.#buffer = Buffer.alloc(0);
    return new Promise((resolve, reject) => {
      this.#pending = { resolve, reject };
      (this.#socket ?? this.#open()).write(head + body);
    });
  }

  #data(d: Buffer): void {
    this.#buffer = this.#buffer.length ? Buffer.concat([this.#buffer, d]) : d;
    const end = this.#buffer.indexOf(HEAD_END);
    if (end < 0 || !this.#pending) return;
    const head = this.#buffer.toString('latin1', 0, end);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head)?.[1];
    const complete =
      length !== undefined
        ? this.#buffer.length >= end + 4 + Number(length)
        : /\r\ntransfer-encoding: *chunked/i.test(head)
          ? this.#buffer.subarray(-CHUNKED_END.length).equals(CHUNKED_END)
          : true;
    if (!complete) return;
    const pending = this.#pending;
    this.#pending = undefined;
    if (/\r\nconnection: *close/i.test(head)) {
      this.#socket?.destroy();
      this.#socket = undefined;
    }
    pending.resolve(Number(head.slice(9, 12)));
  }

  close(): void {
    this.#socket?.destroy();
  }
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

export function latencySummary(
  latencies: readonly number[],
  failed: number,
  seconds: number,
): LatencySummary {
  const sorted = Float64Array.from(latencies).sort();
  return {
    count: latencies.length,
    perSecond: latencies.length / seconds,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
    failed,
  };
}

async function main(o: MixLoadOptions): Promise<void> {
  const users = (JSON.parse(readFileSync(o.usersFile, 'utf8')) as { users: MixUser[] }).users;
  const url = new URL(o.url);
  const reads: number[] = [];
  const writes: number[] = [];
  const statuses: Record<string, number> = {};
  let readFailed = 0;
  let writeFailed = 0;
  let errors = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const deadline = started + o.durationSeconds * 1000;
  const loop = async (index: number) => {
    const r = rng(hash(o.seed, o.stream, index));
    const connection = new Connection(url);
    while (performance.now() < deadline) {
      const req = nextRequest(r, o, users);
      const t0 = performance.now();
      let status: number;
      try {
        status = await connection.send(req, (users[req.user] as MixUser).token);
      } catch {
        errors++;
        continue;
      }
      const ms = Math.round((performance.now() - t0) * 100) / 100;
      statuses[status] = (statuses[status] ?? 0) + 1;
      const ok = status >= 200 && status < 300;
      if (req.kind === 'read') {
        reads.push(ms);
        if (!ok) readFailed++;
      } else {
        writes.push(ms);
        if (!ok) writeFailed++;
      }
    }
    connection.close();
  };
  await Promise.all(Array.from({ length: o.connections }, (_, i) => loop(i)));
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const result: MixLoadResult = {
    seconds,
    readMs: reads,
    writeMs: writes,
    readFailed,
    writeFailed,
    errors,
    cpuUs: used.user + used.system,
    statuses,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (import.meta.main) {
  await main(JSON.parse(process.argv[2] ?? '{}') as MixLoadOptions);
}
