/**
 * The load loop of the realistic POC mix, in a process of its own (`mixLoad()` spawns this file). Autocannon
 * cannot time reads and writes apart, so this is a small HTTP/1.1 keep-alive client on raw sockets (cheaper
 * than node:http's client, so the generator takes as little of the shared cores as it can): `connections`
 * sockets, each sending its own seeded stream of requests (`nextRequest`) one after the other, each with the
 * token of the user it drew; a search drawn to be followed is followed by its next page (its `nextCursor`).
 * The users' live POC ids (creates add theirs, deletes take theirs out) are written back to `usersFile` at
 * the end, so that the next run on the same target patches and deletes POCs that exist. Prints one JSON
 * line: reads and writes timed separately, and each kind of request.
 */
import { runChild } from './processes.ts';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import {
  hash,
  nextRequest,
  rng,
  type MixOp,
  type MixOptions,
  type MixRequest,
  type MixUser,
  type NextPage,
} from './pocs-mix.ts';

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
  /** The same latencies by kind of request. */
  readonly opMs: Partial<Record<MixOp, number[]>>;
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

interface Answer {
  readonly status: number;
  /** The body as it came, chunked or not (`bodyText` decodes it). */
  readonly raw: Buffer;
  readonly chunked: boolean;
}

/** The body of an answer as text, its chunks joined. */
function bodyText(a: Answer): string {
  if (!a.chunked) return a.raw.toString('utf8');
  const parts: Buffer[] = [];
  for (let at = 0; at < a.raw.length;) {
    const eol = a.raw.indexOf('\r\n', at);
    const size = parseInt(a.raw.toString('latin1', at, eol), 16);
    if (!(size > 0)) break;
    parts.push(a.raw.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts).toString('utf8');
}

/** One keep-alive connection: `send` resolves with the answer once the whole of it has arrived. */
class Connection {
  #socket: Socket | undefined;
  #buffer: Buffer = Buffer.alloc(0);
  #pending: { resolve: (answer: Answer) => void; reject: (e: Error) => void } | undefined;
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

  send(req: MixRequest, token: string): Promise<Answer> {
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
    const chunked = length === undefined && /\r\ntransfer-encoding: *chunked/i.test(head);
    const complete =
      length !== undefined
        ? this.#buffer.length >= end + 4 + Number(length)
        : chunked
          ? this.#buffer.subarray(-CHUNKED_END.length).equals(CHUNKED_END)
          : true;
    if (!complete) return;
    const pending = this.#pending;
    this.#pending = undefined;
    if (/\r\nconnection: *close/i.test(head)) {
      this.#socket?.destroy();
      this.#socket = undefined;
    }
    pending.resolve({ status: Number(head.slice(9, 12)), raw: this.#buffer.subarray(end + 4), chunked });
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

const ID = /"id":"([0-9a-fA-F-]{36})"/;
const NEXT_CURSOR = /"nextCursor":"([^"]+)"/;

async function main(o: MixLoadOptions): Promise<void> {
  const users = (JSON.parse(readFileSync(o.usersFile, 'utf8')) as { users: MixUser[] }).users;
  const ids = users.map((u) => [...u.ids]);
  const url = new URL(o.url);
  const reads: number[] = [];
  const writes: number[] = [];
  const opMs: Partial<Record<MixOp, number[]>> = {};
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
    let next: NextPage | undefined;
    while (performance.now() < deadline) {
      const req = nextRequest(r, o, ids, next);
      next = undefined;
      const t0 = performance.now();
      let answer: Answer;
      try {
        answer = await connection.send(req, (users[req.user] as MixUser).token);
      } catch {
        errors++;
        continue;
      }
      const ms = Math.round((performance.now() - t0) * 100) / 100;
      const { status } = answer;
      statuses[status] = (statuses[status] ?? 0) + 1;
      (opMs[req.op] ??= []).push(ms);
      const ok = status >= 200 && status < 300;
      if (req.kind === 'read') {
        reads.push(ms);
        if (!ok) readFailed++;
        const cursor = ok && req.follow ? NEXT_CURSOR.exec(bodyText(answer))?.[1] : undefined;
        // The next page of the same search: its path without the cursor it may have followed already.
        if (cursor) next = { user: req.user, path: req.path.replace(/&cursor=[^&]*$/, ''), cursor };
      } else {
        writes.push(ms);
        if (!ok) writeFailed++;
        const created = req.op === 'create' && ok ? ID.exec(bodyText(answer))?.[1] : undefined;
        if (created) (ids[req.user] as string[]).push(created);
      }
    }
    connection.close();
  };
  await Promise.all(Array.from({ length: o.connections }, (_, i) => loop(i)));
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  writeFileSync(o.usersFile, JSON.stringify({ users: users.map((u, i) => ({ ...u, ids: ids[i] })) }));
  const result: MixLoadResult = {
    seconds,
    readMs: reads,
    writeMs: writes,
    opMs,
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
