import type { Cache } from '../../ports/cache.ts';
import { AppError } from '../../lib/errors.ts';

export interface MemoryCacheOptions {
  readonly name?: string;
  /** How often expired entries are purged; lookups also drop them, so this only bounds memory. */
  readonly sweepIntervalMs?: number;
  /** Injected for tests; defaults to Date.now. */
  readonly now?: () => number;
}

interface Entry {
  value: string | Set<string>;
  /** Epoch ms, or undefined for no expiry. */
  expiresAt: number | undefined;
}

const misuse = (message: string) => new AppError('CACHE.WRONG_TYPE', message, { kind: 'INTERNAL' });

/**
 * An in-process cache with Redis semantics (an emptied set disappears, `incr` keeps an existing TTL),
 * for single-node runs and tests. Nothing is shared between instances.
 */
export class MemoryCache implements Cache {
  readonly name: string;
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;
  readonly #sweeper: NodeJS.Timeout;

  constructor(options: MemoryCacheOptions = {}) {
    this.name = options.name ?? 'cache-memory';
    this.#now = options.now ?? Date.now;
    this.#sweeper = setInterval(() => this.#sweep(), options.sweepIntervalMs ?? 30_000);
    this.#sweeper.unref();
  }

  async get(key: string): Promise<string | undefined> {
    const entry = this.#live(key);
    if (entry === undefined) return undefined;
    if (typeof entry.value !== 'string') throw misuse(`${key} holds a set, not a string`);
    return entry.value;
  }

  async set(key: string, value: string, ttlSeconds?: number): Promise<void> {
    this.#entries.set(key, { value, expiresAt: this.#expiry(ttlSeconds) });
  }

  async del(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.#entries.delete(key);
  }

  async exists(key: string): Promise<boolean> {
    return this.#live(key) !== undefined;
  }

  async expire(key: string, ttlSeconds: number): Promise<void> {
    const entry = this.#live(key);
    if (entry === undefined) return;
    if (ttlSeconds <= 0) this.#entries.delete(key);
    else entry.expiresAt = this.#expiry(ttlSeconds);
  }

  async incr(key: string, ttlSeconds: number): Promise<number> {
    const entry = this.#live(key);
    if (entry === undefined) {
      this.#entries.set(key, { value: '1', expiresAt: this.#expiry(ttlSeconds) });
      return 1;
    }
    if (typeof entry.value !== 'string' || !/^-?\d+$/.test(entry.value)) {
      throw misuse(`${key} does not hold an integer`);
    }
    const next = Number(entry.value) + 1;
    entry.value = String(next);
    // Like EXPIRE NX: a counter that somehow lost its TTL gets one, an existing TTL is kept.
    entry.expiresAt ??= this.#expiry(ttlSeconds);
    return next;
  }

  async ttl(key: string): Promise<number> {
    const entry = this.#live(key);
    if (entry === undefined) return -2;
    if (entry.expiresAt === undefined) return -1;
    return Math.max(0, Math.round((entry.expiresAt - this.#now()) / 1000));
  }

  async sadd(key: string, members: readonly string[]): Promise<void> {
    if (members.length === 0) return;
    const entry = this.#live(key);
    if (entry === undefined) {
      this.#entries.set(key, { value: new Set(members), expiresAt: undefined });
      return;
    }
    if (typeof entry.value === 'string') throw misuse(`${key} holds a string, not a set`);
    for (const m of members) entry.value.add(m);
  }

  async srem(key: string, members: readonly string[]): Promise<void> {
    const entry = this.#live(key);
    if (entry === undefined) return;
    if (typeof entry.value === 'string') throw misuse(`${key} holds a string, not a set`);
    for (const m of members) entry.value.delete(m);
    if (entry.value.size === 0) this.#entries.delete(key);
  }

  async smembers(key: string): Promise<string[] | undefined> {
    const set = this.#set(key);
    return set === undefined ? undefined : [...set];
  }

  async sinter(keys: readonly string[]): Promise<string[] | undefined> {
    const sets: Set<string>[] = [];
    for (const key of keys) {
      const set = this.#set(key);
      if (set === undefined) return undefined;
      sets.push(set);
    }
    const [first, ...rest] = sets;
    if (first === undefined) return [];
    return [...first].filter((m) => rest.every((s) => s.has(m)));
  }

  async health(): Promise<void> {}

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    this.#entries.clear();
  }

  /** Drops everything; the resilient cache calls it like RedisCache.flush. */
  async flush(): Promise<void> {
    this.#entries.clear();
  }

  #set(key: string): Set<string> | undefined {
    const entry = this.#live(key);
    if (entry === undefined) return undefined;
    if (typeof entry.value === 'string') throw misuse(`${key} holds a string, not a set`);
    return entry.value;
  }

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #expiry(ttlSeconds: number | undefined): number | undefined {
    return ttlSeconds === undefined ? undefined : this.#now() + ttlSeconds * 1000;
  }

  #sweep() {
    const now = this.#now();
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt !== undefined && entry.expiresAt <= now) this.#entries.delete(key);
    }
  }
}
