import type { DojosRepo, NewMessage } from './repo.ts';

interface Pending {
  readonly message: NewMessage;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Stores chat messages in small groups: a message waits at most `windowMs` for others, then all go in one
 * batch. A busy node (hundreds of rooms chatting) then makes a few store writes a second instead of one
 * per message; with the embedded store each write is a synchronous commit with an fsync on the event loop,
 * and a slow fsync there stalls every room of the node. Each caller learns whether its own message was
 * stored; the room shows a message only after that.
 */
export class ChatWriter {
  readonly #repo: DojosRepo;
  readonly #windowMs: number;
  readonly #maxBatch: number;
  #pending: Pending[] = [];
  #timer: NodeJS.Timeout | undefined;
  readonly #writing = new Set<Promise<void>>();

  constructor(options: { repo: DojosRepo; windowMs: number; maxBatch?: number }) {
    this.#repo = options.repo;
    this.#windowMs = options.windowMs;
    this.#maxBatch = options.maxBatch ?? 50;
  }

  add(message: NewMessage): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ message, resolve, reject });
      if (this.#pending.length >= this.#maxBatch) this.#flush();
      else this.#timer ??= setTimeout(() => this.#flush(), this.#windowMs);
    });
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return;
    const writing = this.#repo.addMessages(batch.map((p) => p.message)).then(
      () => batch.forEach((p) => p.resolve()),
      (error: unknown) => batch.forEach((p) => p.reject(error)),
    );
    this.#writing.add(writing);
    void writing.finally(() => this.#writing.delete(writing));
  }

  /** Writes what is waiting and waits for the writes under way (at shutdown, before the store closes). */
  async close(): Promise<void> {
    this.#flush();
    await Promise.allSettled([...this.#writing]);
  }
}
