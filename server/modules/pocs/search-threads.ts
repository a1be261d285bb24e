import { Worker } from 'node:worker_threads';
import { workerExecArgv } from '../../lib/worker-argv.ts';
import type { Config } from '../../../config/index.ts';
import { unavailable } from '../../lib/errors.ts';
import type { Logger } from '../../lib/log.ts';
import type { PocPage } from './page-cache.ts';
import type { PageMaker } from './page-maker.ts';
import type { Owner } from './repo.ts';
import type { PageRequest, PocQuery } from './search.ts';
import { receivedError, type SearchReply, type SearchRequest } from './search-thread-protocol.ts';

export interface SearchThreadsOptions {
  readonly threads: number;
  readonly config: Config;
  /** The cursor secret. */
  readonly secret: Buffer;
  readonly logger: Logger;
  /** Computes pages while no thread is up (one died and its replacement is starting). */
  readonly fallback: PageMaker;
  /** How long after a thread died its replacement starts. */
  readonly restartDelayMs?: number;
}

interface Waiting {
  readonly resolve: (page: PocPage) => void;
  readonly reject: (error: Error) => void;
}

/** One thread: its worker, the searches it has not answered yet, and whether it has said it is ready. */
class SearchThread {
  readonly worker: Worker;
  readonly pending = new Map<number, Waiting>();
  readonly ready: Promise<void>;
  readonly exited: Promise<void>;
  live = false;
  closing = false;
  /** Why the thread stopped, once it did (its uncaught error, if it had one). */
  failure: Error = new Error('the search thread stopped');
  #next = 0;
  #idle: (() => void)[] = [];

  constructor(options: SearchThreadsOptions, onExit: (thread: SearchThread) => void) {
    this.worker = new Worker(new URL('./search-thread.ts', import.meta.url), {
      workerData: { config: options.config, secret: new Uint8Array(options.secret) },
      execArgv: workerExecArgv(),
    });
    let becameReady: () => void = () => undefined;
    let failedToStart: (error: Error) => void = () => undefined;
    this.ready = new Promise((resolve, reject) => {
      becameReady = resolve;
      failedToStart = reject;
    });
    // Only the first threads' start is awaited; a replacement that cannot start is logged when it exits.
    this.ready.catch(() => undefined);
    this.worker.on('message', (reply: SearchReply) => {
      if ('ready' in reply) {
        this.live = true;
        this.#holdProcess();
        return becameReady();
      }
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if ('error' in reply) waiting?.reject(receivedError(reply.error));
      else waiting?.resolve({ ...reply.page, json: Buffer.from(reply.page.json.buffer) });
      if (this.pending.size === 0) this.#becameIdle();
    });
    this.worker.on('error', (error) => {
      this.failure = error;
    });
    this.exited = new Promise((resolve) =>
      this.worker.once('exit', () => {
        this.live = false;
        failedToStart(this.failure);
        const lost = unavailable(
          'POC.SEARCH_UNAVAILABLE',
          'The search is unavailable; try again',
          this.failure,
        );
        for (const waiting of this.pending.values()) waiting.reject(lost);
        this.pending.clear();
        this.#becameIdle();
        onExit(this);
        resolve();
      }),
    );
  }

  /**
   * Keeps the process alive while the thread starts, has searches in flight or is being stopped (as a
   * socket waiting for its answer would), not while it merely waits for work.
   */
  #holdProcess(): void {
    if (!this.live || this.closing || this.pending.size > 0) this.worker.ref();
    else this.worker.unref();
  }

  #becameIdle(): void {
    this.#holdProcess();
    for (const resolve of this.#idle.splice(0)) resolve();
  }

  /** Lets the searches in flight finish, then stops the thread. */
  async stop(): Promise<void> {
    this.closing = true;
    this.#holdProcess();
    await this.idle();
    this.worker.postMessage('close');
    await this.exited;
  }

  /** Resolves once every search sent to the thread is answered (or the thread died). */
  idle(): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  page(request: Omit<SearchRequest, 'id'>): Promise<PocPage> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.#holdProcess();
      this.worker.postMessage({ id, ...request } satisfies SearchRequest);
    });
  }
}

/**
 * Computes search pages on threads beside the event loop, each with its own store connection: the store
 * reads, the decoding and the JSON of a search (most of its CPU) run on the other cores, and the event loop
 * keeps HTTP, auth, the page cache and writes. A search goes to the live thread with the fewest searches
 * in flight. A thread that dies fails its searches as 503 (retriable) and is replaced; while none is up,
 * pages are computed by `fallback` on the event loop.
 */
export class SearchThreads implements PageMaker {
  readonly #options: SearchThreadsOptions;
  readonly #threads = new Set<SearchThread>();
  #closed = false;

  private constructor(options: SearchThreadsOptions) {
    this.#options = options;
  }

  /** Resolves once every thread can search; rejects (and stops them) if one cannot start. */
  static async start(options: SearchThreadsOptions): Promise<SearchThreads> {
    const threads = new SearchThreads(options);
    for (let i = 0; i < Math.max(1, options.threads); i++) threads.#spawn();
    try {
      await Promise.all([...threads.#threads].map((t) => t.ready));
    } catch (error) {
      await threads.close();
      throw error;
    }
    return threads;
  }

  page(owner: Owner, query: PocQuery, request: PageRequest, scope: string): Promise<PocPage> {
    let best: SearchThread | undefined;
    for (const t of this.#threads) {
      if (t.live && !t.closing && (!best || t.pending.size < best.pending.size)) best = t;
    }
    if (!best) return this.#options.fallback.page(owner, query, request, scope);
    return best.page({ owner, query, request, scope });
  }

  /** The threads' workers as they stand (a replaced thread has a new one): for diagnostics and tests. */
  get workers(): Worker[] {
    return [...this.#threads].map((t) => t.worker);
  }

  /** Lets the searches in flight finish, then stops the threads. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#threads].map((t) => t.stop()));
  }

  #spawn(): void {
    this.#threads.add(new SearchThread(this.#options, (thread) => this.#exited(thread)));
  }

  #exited(thread: SearchThread): void {
    this.#threads.delete(thread);
    if (this.#closed || thread.closing) return;
    this.#options.logger.error(
      { threadId: thread.worker.threadId, err: thread.failure },
      'a poc search thread stopped; restarting it',
    );
    setTimeout(() => {
      if (!this.#closed) this.#spawn();
    }, this.#options.restartDelayMs ?? 1000).unref();
  }
}
