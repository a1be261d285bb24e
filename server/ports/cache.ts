/**
 * Cache, counters and sets. Adapters: cache-redis (real) and cache-memory (embedded); the resilient
 * wrapper (server/adapters/cache-resilient) puts the Redis one behind a circuit breaker.
 *
 * Reads answer `undefined` for "unknown" (a miss, or the cache is unavailable): callers must then go to
 * the store. An empty set is `[]` only when the set is known to be empty (see `exists`).
 */
export interface Cache {
  readonly name: string;
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlSeconds?: number): Promise<void>;
  del(keys: readonly string[]): Promise<void>;
  exists(key: string): Promise<boolean | undefined>;
  expire(key: string, ttlSeconds: number): Promise<void>;
  /** Atomically increments; a new key starts at 1 and expires after ttlSeconds. */
  incr(key: string, ttlSeconds: number): Promise<number>;
  /** Seconds to live, -1 without expiry, -2 (or undefined when unknown) when missing. */
  ttl(key: string): Promise<number | undefined>;
  sadd(key: string, members: readonly string[]): Promise<void>;
  srem(key: string, members: readonly string[]): Promise<void>;
  smembers(key: string): Promise<string[] | undefined>;
  /** Members in every listed set. */
  sinter(keys: readonly string[]): Promise<string[] | undefined>;
  health(): Promise<void>;
  close(): Promise<void>;
}
