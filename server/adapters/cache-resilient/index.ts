import type { Cache } from '../../ports/cache.ts';
import { CircuitBreaker, type BreakerState } from '../../lib/breaker.ts';
import { AppError, isAppError } from '../../lib/errors.ts';
import type { Logger } from '../../lib/log.ts';
import { withTimeout } from '../../lib/timeout.ts';
import { MemoryCache } from '../cache-memory/index.ts';
import { PendingInvalidations } from './pending.ts';

/** A cache that can drop every key it owns (RedisCache, MemoryCache). */
export interface FlushableCache extends Cache {
  flush(): Promise<void>;
}

export interface ResilientCacheOptions {
  readonly primary: FlushableCache;
  readonly logger: Logger;
  /** Serves `incr`/`ttl` per node while the primary is away; a fresh MemoryCache by default. */
  readonly fallback?: MemoryCache;
  /** Keys remembered for invalidation during an outage; beyond it the whole prefix is flushed. */
  readonly maxRememberedKeys?: number;
  /** Kept small: every request pays it while the primary hangs, until the circuit opens. */
  readonly callTimeoutMs?: number;
  readonly failureThreshold?: number;
  readonly resetTimeoutMs?: number;
}

const DELETE_BATCH = 1000;

const isMisuse = (error: unknown) => isAppError(error) && error.kind === 'INTERNAL';

/**
 * Puts the primary cache behind the circuit breaker. While it is unreachable reads are misses, writes are
 * skipped but their keys remembered, and counters move to a per-node fallback. On recovery the remembered
 * keys are deleted from the primary before it serves anything, so a write missed during the outage can
 * never leave a stale entry behind.
 */
export class ResilientCache implements Cache {
  readonly name: string;
  readonly #primary: FlushableCache;
  readonly #fallback: MemoryCache;
  readonly #logger: Logger;
  readonly #breaker: CircuitBreaker;
  readonly #pending: PendingInvalidations;
  readonly #callTimeoutMs: number;
  readonly #resetTimeoutMs: number;
  #draining: Promise<void> | undefined;
  #probe: NodeJS.Timeout | undefined;

  constructor(options: ResilientCacheOptions) {
    this.#primary = options.primary;
    this.name = `resilient(${options.primary.name})`;
    this.#fallback = options.fallback ?? new MemoryCache({ name: 'cache-fallback' });
    this.#logger = options.logger;
    this.#pending = new PendingInvalidations(options.maxRememberedKeys ?? 10_000);
    this.#callTimeoutMs = options.callTimeoutMs ?? 250;
    this.#resetTimeoutMs = options.resetTimeoutMs ?? 1000;
    this.#breaker = new CircuitBreaker({
      name: options.primary.name,
      failureThreshold: options.failureThreshold ?? 3,
      resetTimeoutMs: this.#resetTimeoutMs,
      callTimeoutMs: this.#callTimeoutMs,
      isFailure: (error) => !isMisuse(error),
      onStateChange: (state, previous) => this.#onStateChange(state, previous),
    });
  }

  get state(): BreakerState {
    return this.#breaker.state;
  }

  get(key: string) {
    return this.#read((c) => c.get(key));
  }

  exists(key: string) {
    return this.#read((c) => c.exists(key));
  }

  smembers(key: string) {
    return this.#read((c) => c.smembers(key));
  }

  sinter(keys: readonly string[]) {
    return this.#read((c) => c.sinter(keys));
  }

  set(key: string, value: string, ttlSeconds?: number) {
    return this.#write([key], (c) => c.set(key, value, ttlSeconds));
  }

  del(keys: readonly string[]) {
    return this.#write(keys, (c) => c.del(keys));
  }

  expire(key: string, ttlSeconds: number) {
    return this.#write([key], (c) => c.expire(key, ttlSeconds));
  }

  sadd(key: string, members: readonly string[]) {
    return this.#write([key], (c) => c.sadd(key, members));
  }

  srem(key: string, members: readonly string[]) {
    return this.#write([key], (c) => c.srem(key, members));
  }

  async incr(key: string, ttlSeconds: number): Promise<number> {
    try {
      return await this.#call((c) => c.incr(key, ttlSeconds));
    } catch (error) {
      if (isMisuse(error)) throw error;
      return this.#fallback.incr(key, ttlSeconds);
    }
  }

  async ttl(key: string): Promise<number | undefined> {
    try {
      return await this.#call((c) => c.ttl(key));
    } catch (error) {
      if (isMisuse(error)) throw error;
      const ttl = await this.#fallback.ttl(key);
      return ttl === -2 ? undefined : ttl;
    }
  }

  /** Fails while the primary is unreachable; callers decide whether a degraded cache matters. */
  health(): Promise<void> {
    return this.#call((c) => c.health());
  }

  async close(): Promise<void> {
    clearInterval(this.#probe);
    this.#probe = undefined;
    await Promise.all([this.#primary.close(), this.#fallback.close()]);
  }

  async #read<T>(fn: (c: FlushableCache) => Promise<T>): Promise<T | undefined> {
    try {
      return await this.#call(fn);
    } catch (error) {
      if (isMisuse(error)) throw error;
      return undefined;
    }
  }

  async #write(keys: readonly string[], fn: (c: FlushableCache) => Promise<void>): Promise<void> {
    try {
      await this.#call(fn);
    } catch (error) {
      if (isMisuse(error)) throw error;
      this.#pending.remember(keys);
    }
  }

  async #call<T>(fn: (c: FlushableCache) => Promise<T>): Promise<T> {
    if (!this.#pending.empty) await this.#drainWithin(this.#callTimeoutMs);
    return this.#breaker.call(() => fn(this.#primary));
  }

  /** Waits for the invalidations to be replayed, but no longer than a call may take. */
  async #drainWithin(ms: number): Promise<void> {
    await withTimeout(
      this.#drain(),
      ms,
      () => new AppError('CACHE.RECOVERING', 'cache invalidations are being replayed', { kind: 'TIMEOUT' }),
    );
  }

  #drain(): Promise<void> {
    this.#draining ??= this.#replay().finally(() => {
      this.#draining = undefined;
    });
    return this.#draining;
  }

  async #replay(): Promise<void> {
    const snapshot = this.#pending.snapshot();
    if (snapshot.flushAll) {
      // A trial through the breaker first; the flush itself may take longer than one call is allowed.
      await this.#breaker.call(() => this.#primary.health());
      await this.#primary.flush();
    } else {
      for (let i = 0; i < snapshot.keys.length; i += DELETE_BATCH) {
        const batch = snapshot.keys.slice(i, i + DELETE_BATCH);
        await this.#breaker.call(() => this.#primary.del(batch));
      }
    }
    this.#pending.settled(snapshot);
    this.#logger.info(
      { cache: this.name, keys: snapshot.keys.length, flushAll: snapshot.flushAll },
      'cache writes missed during the outage were invalidated',
    );
  }

  #onStateChange(state: BreakerState, previous: BreakerState) {
    if (state === 'open') {
      this.#logger.warn({ cache: this.name, previous }, 'cache circuit opened: serving misses');
      this.#startProbe();
    } else {
      this.#logger.info({ cache: this.name, state, previous }, 'cache circuit closed');
      if (!this.#pending.empty) this.#drain().catch(() => undefined);
    }
  }

  /** Without traffic nobody would try the primary again, so recovery (and invalidation) is probed. */
  #startProbe() {
    if (this.#probe) return;
    this.#probe = setInterval(() => {
      if (this.#breaker.state === 'closed' && this.#pending.empty) {
        clearInterval(this.#probe);
        this.#probe = undefined;
        return;
      }
      if (this.#breaker.state === 'open') return;
      const attempt = this.#pending.empty ? this.#breaker.call(() => this.#primary.health()) : this.#drain();
      attempt.catch(() => undefined);
    }, this.#resetTimeoutMs);
    this.#probe.unref();
  }
}

/** Serves `key` from the cache, else loads it and fills the cache for ttlSeconds. */
export async function readThrough(
  cache: Cache,
  key: string,
  ttlSeconds: number,
  load: () => Promise<string>,
): Promise<string> {
  const cached = await cache.get(key);
  if (cached !== undefined) return cached;
  const value = await load();
  await cache.set(key, value, ttlSeconds);
  return value;
}
