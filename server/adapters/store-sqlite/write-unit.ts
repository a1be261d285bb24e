/**
 * What the event loop sends the writer thread (writer.ts): units of SQL steps with their parameters
 * already encoded, and what comes back. Conditions travel as checks the writer evaluates inside the
 * unit's savepoint, so check and write stay one atomic step as before.
 */
import type { SQLInputValue, SQLOutputValue } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import { workerExecArgv } from '../../lib/worker-argv.ts';

export interface Check {
  /** Reads the row (arrays in the table plan's column order); parameters: the key values, then `now`. */
  readonly sql: string;
  readonly params: readonly SQLInputValue[];
  readonly ifNotExists?: boolean;
  readonly ifExists?: boolean;
  /** Column index in the read row, and the encoded value it must have (a missing row has only nulls). */
  readonly equal?: readonly (readonly [number, SQLInputValue])[];
}

export type Step =
  { readonly sql: string; readonly params: readonly SQLInputValue[] } | { readonly check: Check };

export interface WriteUnit {
  readonly steps: readonly Step[];
}

export interface WriterData {
  readonly file: string;
  readonly busyTimeoutMs: number;
}

export interface WriteRequest {
  readonly id: number;
  readonly unit: WriteUnit;
}

export interface UnitResult {
  readonly applied: boolean;
  /** The row as it stands, for a refused conditional write (raw, in the plan's column order). */
  readonly current?: SQLOutputValue[];
}

export interface WriteReply {
  readonly id: number;
  readonly result?: UnitResult;
  readonly error?: { readonly message: string; readonly errcode?: number };
}

function sameValue(a: SQLInputValue | SQLOutputValue | undefined, b: SQLInputValue): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.from(a).equals(b);
  // Integers may come back as bigint only past 2^53, which the store refuses to write.
  return (a ?? null) === b;
}

/** Whether a check lets its unit go on, given the row it read (undefined: no live row). */
export function holds(check: Check, current: readonly SQLOutputValue[] | undefined): boolean {
  if (check.ifNotExists && current) return false;
  if (check.ifExists && !current) return false;
  return (check.equal ?? []).every(([i, expected]) => sameValue(current?.[i] ?? null, expected));
}

/** A failed unit as the error node:sqlite would have thrown (same `errcode`, so it maps the same way). */
export class WriterError extends Error {
  readonly errcode: number | undefined;
  constructor(reply: NonNullable<WriteReply['error']>) {
    super(reply.message);
    this.errcode = reply.errcode;
  }
}

/** The event loop's side: starts the writer thread, sends units, resolves each when its group committed. */
export class WriterClient {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (r: UnitResult) => void; reject: (e: Error) => void }>();
  #next = 0;
  #failed: Error | undefined;
  readonly #exited: Promise<void>;

  constructor(data: WriterData) {
    this.#worker = new Worker(new URL('./writer.ts', import.meta.url), {
      workerData: data,
      execArgv: workerExecArgv(),
    });
    this.#worker.on('message', (replies: WriteReply[]) => {
      for (const reply of replies) {
        const waiting = this.#pending.get(reply.id);
        this.#pending.delete(reply.id);
        if (reply.error) waiting?.reject(new WriterError(reply.error));
        else waiting?.resolve(reply.result ?? { applied: true });
      }
      if (this.#pending.size === 0) this.#worker.unref();
    });
    this.#worker.on('error', (error) => this.#fail(error));
    this.#exited = new Promise((resolve) =>
      this.#worker.once('exit', () => {
        this.#fail(new Error('the store writer stopped'));
        resolve();
      }),
    );
    this.#worker.unref();
  }

  run(unit: WriteUnit): Promise<UnitResult> {
    if (this.#failed) return Promise.reject(this.#failed);
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      // Referenced while writes are in flight: a pending write keeps the process alive, as I/O would.
      this.#worker.ref();
      this.#worker.postMessage({ id, unit } satisfies WriteRequest);
    });
  }

  /** Lets queued units commit, then stops the thread. */
  async close(): Promise<void> {
    this.#worker.postMessage('close');
    this.#worker.ref();
    await this.#exited;
  }

  #fail(error: Error): void {
    this.#failed ??= error;
    for (const waiting of this.#pending.values()) waiting.reject(error);
    this.#pending.clear();
  }
}
