import { writeSync } from 'node:fs';

export interface LineBatchOptions {
  /** The file descriptor lines go to (1 for stdout). */
  readonly fd: number;
  /** Characters gathered before one write. */
  readonly batchChars: number;
  /** The longest a line waits in a quiet moment, in ms. */
  readonly flushMs: number;
  /** The write itself (tests replace it); `writeSync` by default. */
  readonly write?: (fd: number, data: Buffer, offset: number) => number;
}

const PAUSE = new Int32Array(new SharedArrayBuffer(4));

/**
 * A pino destination that writes its lines in batches, synchronously: one write(2) per batch instead of one
 * per line, nothing ever in flight. It keeps the lines as they come and joins them once per batch (pino's
 * own buffered destination measures its whole growing buffer on every line, which cost more than writing
 * the line). A full pipe (EAGAIN) is waited out; a closed one (EPIPE and the like) drops the batch, since
 * there is nowhere left to report it.
 */
export class LineBatch {
  readonly #o: LineBatchOptions;
  readonly #write: (fd: number, data: Buffer, offset: number) => number;
  #lines: string[] = [];
  #chars = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: LineBatchOptions) {
    this.#o = options;
    this.#write = options.write ?? ((fd, data, offset) => writeSync(fd, data, offset));
  }

  write(line: string): boolean {
    this.#lines.push(line);
    this.#chars += line.length;
    if (this.#chars >= this.#o.batchChars) this.flushSync();
    else this.#timer ??= setTimeout(() => this.flushSync(), this.#o.flushMs).unref();
    return true;
  }

  /** Writes out every buffered line now. */
  flushSync(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#lines.length) return;
    const data = Buffer.from(this.#lines.join(''));
    this.#lines = [];
    this.#chars = 0;
    let offset = 0;
    while (offset < data.length) {
      try {
        offset += this.#write(this.#o.fd, data, offset);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return;
        Atomics.wait(PAUSE, 0, 0, 1);
      }
    }
  }
}
