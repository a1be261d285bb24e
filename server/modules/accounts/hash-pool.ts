import { Worker } from 'node:worker_threads';
import { AppError } from '../../lib/errors.ts';
import type { Logger } from '../../lib/log.ts';
import type { ScryptParams } from './passwords.ts';

/** What the pool sends a thread (scrypt-worker.ts) and what the thread answers. */
export interface DeriveRequest {
  readonly id: number;
  readonly password: string;
  readonly salt: Uint8Array;
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly keyLength: number;
  readonly maxmem: number;
}
export type DeriveResult =
  { readonly id: number; readonly key: Uint8Array } | { readonly id: number; readonly error: string };

export interface ScryptPoolOptions {
  /** Worker threads, each running one scrypt at a time. */
  readonly threads: number;
  /** Jobs that may wait for a thread; beyond them `derive` fails at once with a 503 AppError. */
  readonly maxQueue: number;
  readonly logger?: Logger;
}

export interface ScryptPoolStats {
  readonly threads: number;
  readonly busy: number;
  readonly queued: number;
  /** The most jobs ever running or waiting at once (what bounds hashing memory). */
  readonly peakInFlight: number;
  readonly refused: number;
}

interface Job {
  readonly id: number;
  readonly request: DeriveRequest;
  readonly resolve: (key: Buffer) => void;
  readonly reject: (error: unknown) => void;
}

interface Thread {
  readonly worker: Worker;
  job: Job | undefined;
  started: number;
  gone: boolean;
}

const WORKER_URL = new URL('./scrypt-worker.ts', import.meta.url);
/** Until a job has been timed: about one production hash on the development machine. */
const ASSUMED_JOB_MS = 400;
const MAX_RETRY_AFTER_SECONDS = 30;

/** Node refuses scrypt above 32 MiB by default; N=2^17, r=8 needs 128 MiB: allow twice what is needed. */
export const scryptMaxmem = (params: ScryptParams) => 256 * params.N * params.r * params.p;

/**
 * Password hashing on a few worker threads of its own, with a bounded queue. scrypt at the production cost
 * takes ~330 ms of CPU and 128 MiB per hash: run on libuv's shared pool (4 threads), a burst of sign-ups
 * held every thread and half a gigabyte, and starved file and DNS work. Here at most `threads` hashes run
 * and at most `maxQueue` wait, so hashing memory is bounded by `threads` × one hash; a job beyond them is
 * refused at once (`ACCOUNT.BUSY`, 503 with a Retry-After estimated from the queue and the measured job
 * time) rather than queued without end. Threads start on first use and are only referenced by the event
 * loop while they work, so an idle pool never keeps a process alive; `close()` terminates them.
 */
export class ScryptPool {
  readonly #size: number;
  readonly #maxQueue: number;
  readonly #logger: Logger | undefined;
  readonly #threads: Thread[] = [];
  readonly #queue: Job[] = [];
  #nextId = 1;
  #closed = false;
  #averageMs: number | undefined;
  #peak = 0;
  #refused = 0;

  constructor(options: ScryptPoolOptions) {
    if (!Number.isInteger(options.threads) || options.threads < 1) throw new Error('threads must be ≥ 1');
    if (!Number.isInteger(options.maxQueue) || options.maxQueue < 0) throw new Error('maxQueue must be ≥ 0');
    this.#size = options.threads;
    this.#maxQueue = options.maxQueue;
    this.#logger = options.logger;
  }

  /** Derives an scrypt key on a pool thread (the `Derive` of passwords.ts). */
  readonly derive = (password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> => {
    if (this.#closed) return Promise.reject(shuttingDown());
    const idle = this.#threads.find((t) => !t.job && !t.gone);
    const thread = idle ?? (this.#threads.length < this.#size ? this.#spawn() : undefined);
    if (!thread && this.#queue.length >= this.#maxQueue) {
      this.#refused++;
      return Promise.reject(this.#busy());
    }
    const id = this.#nextId++;
    return new Promise<Buffer>((resolve, reject) => {
      const request: DeriveRequest = {
        id,
        password,
        salt,
        N: params.N,
        r: params.r,
        p: params.p,
        keyLength: params.keyLength,
        maxmem: scryptMaxmem(params),
      };
      const job: Job = { id, request, resolve, reject };
      if (thread) this.#run(thread, job);
      else this.#queue.push(job);
      this.#peak = Math.max(this.#peak, this.#busyCount() + this.#queue.length);
    });
  };

  stats(): ScryptPoolStats {
    return {
      threads: this.#threads.length,
      busy: this.#busyCount(),
      queued: this.#queue.length,
      peakInFlight: this.#peak,
      refused: this.#refused,
    };
  }

  /** Refuses what waits, terminates every thread (what runs is rejected) and refuses all later jobs. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const job of this.#queue.splice(0)) job.reject(shuttingDown());
    await Promise.allSettled(this.#threads.map((t) => t.worker.terminate()));
  }

  #busyCount(): number {
    return this.#threads.filter((t) => t.job).length;
  }

  #busy(): AppError {
    const jobMs = this.#averageMs ?? ASSUMED_JOB_MS;
    const ahead = this.#queue.length / this.#size + 1;
    const seconds = Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, Math.ceil((ahead * jobMs) / 1000)));
    return new AppError('ACCOUNT.BUSY', 'Too many password checks at once; try again shortly.', {
      kind: 'UNAVAILABLE',
      retryAfterSeconds: seconds,
    });
  }

  #spawn(): Thread {
    const worker = new Worker(WORKER_URL, { name: 'accounts-scrypt' });
    const thread: Thread = { worker, job: undefined, started: 0, gone: false };
    worker.on('message', (result: DeriveResult) => this.#finished(thread, result));
    worker.on('error', (error) => this.#lost(thread, error));
    worker.on('exit', (code) => this.#lost(thread, new Error(`scrypt worker exited with code ${code}`)));
    worker.unref();
    this.#threads.push(thread);
    return thread;
  }

  #run(thread: Thread, job: Job): void {
    thread.job = job;
    thread.started = performance.now();
    thread.worker.ref();
    thread.worker.postMessage(job.request);
  }

  #finished(thread: Thread, result: DeriveResult): void {
    const job = thread.job;
    thread.job = undefined;
    thread.worker.unref();
    if (job && job.id === result.id) {
      const ms = performance.now() - thread.started;
      this.#averageMs = this.#averageMs === undefined ? ms : this.#averageMs * 0.8 + ms * 0.2;
      if ('key' in result)
        job.resolve(Buffer.from(result.key.buffer, result.key.byteOffset, result.key.length));
      else job.reject(new Error(`scrypt failed: ${result.error}`));
    }
    const next = this.#queue.shift();
    if (next) this.#run(thread, next);
  }

  /** A thread that failed or exited: its job fails, and a new thread takes over what waits. */
  #lost(thread: Thread, error: unknown): void {
    if (thread.gone) return;
    thread.gone = true;
    const index = this.#threads.indexOf(thread);
    if (index >= 0) this.#threads.splice(index, 1);
    const job = thread.job;
    thread.job = undefined;
    if (this.#closed) {
      job?.reject(shuttingDown());
      return;
    }
    this.#logger?.error({ err: error }, 'scrypt worker thread lost');
    job?.reject(error);
    const next = this.#queue.shift();
    if (next) this.#run(this.#spawn(), next);
  }
}

const shuttingDown = () =>
  new AppError('ACCOUNT.SHUTTING_DOWN', 'The service is shutting down; try again.', {
    kind: 'UNAVAILABLE',
    retryAfterSeconds: 1,
  });
