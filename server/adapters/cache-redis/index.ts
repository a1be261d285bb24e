import { Redis } from 'ioredis';
import type { Cache } from '../../ports/cache.ts';
import { AppError, unavailable } from '../../lib/errors.ts';
import type { Logger } from '../../lib/log.ts';

export interface RedisCacheOptions {
  readonly url: string;
  /** Prepended to every key, so several apps (or test runs) can share one Redis. */
  readonly keyPrefix: string;
  readonly logger: Logger;
  readonly name?: string;
  readonly connectTimeoutMs?: number;
  readonly commandTimeoutMs?: number;
}

/**
 * Redis-backed cache. It fails fast rather than queueing while Redis is away (no offline queue, short
 * timeouts, one retry per command) and reconnects in the background; ResilientCache turns those
 * failures into misses.
 */
export class RedisCache implements Cache {
  readonly name: string;
  readonly keyPrefix: string;
  readonly #client: Redis;
  readonly #logger: Logger;
  #closed = false;
  #lastError: string | undefined;

  constructor(options: RedisCacheOptions) {
    this.name = options.name ?? 'cache-redis';
    this.keyPrefix = options.keyPrefix;
    this.#logger = options.logger;
    this.#client = new Redis(options.url, {
      keyPrefix: options.keyPrefix,
      enableOfflineQueue: false,
      // Commands issued in the same tick (many requests reading their versions at once) share one write.
      enableAutoPipelining: true,
      connectTimeout: options.connectTimeoutMs ?? 1000,
      commandTimeout: options.commandTimeoutMs ?? 1000,
      maxRetriesPerRequest: 1,
      // Keeps trying forever, at most every 2 s, so the cache comes back on its own.
      retryStrategy: (times) => (this.#closed ? null : Math.min(50 * 2 ** times, 2000)),
    });
    // Logged once per outage, not once per reconnect attempt.
    this.#client.on('error', (error: Error) => {
      if (this.#lastError === error.message) return;
      this.#lastError = error.message;
      this.#logger.warn({ err: error, cache: this.name }, 'redis cache connection error');
    });
    this.#client.on('ready', () => {
      if (this.#lastError !== undefined) this.#logger.info({ cache: this.name }, 'redis cache reconnected');
      this.#lastError = undefined;
    });
  }

  /** Resolves once connected, or fails with CACHE.UNAVAILABLE after timeoutMs. */
  async ready(timeoutMs = 5000): Promise<void> {
    if (this.#client.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#client.off('ready', onReady);
        reject(unavailable('CACHE.UNAVAILABLE', `cache did not connect within ${timeoutMs} ms`));
      }, timeoutMs);
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      this.#client.once('ready', onReady);
    });
  }

  get(key: string): Promise<string | undefined> {
    return this.#run(async (c) => (await c.get(key)) ?? undefined);
  }

  set(key: string, value: string, ttlSeconds?: number): Promise<void> {
    return this.#run(async (c) => {
      if (ttlSeconds === undefined) await c.set(key, value);
      else await c.set(key, value, 'EX', ttlSeconds);
    });
  }

  del(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return Promise.resolve();
    return this.#run(async (c) => void (await c.unlink(...keys)));
  }

  exists(key: string): Promise<boolean> {
    return this.#run(async (c) => (await c.exists(key)) === 1);
  }

  expire(key: string, ttlSeconds: number): Promise<void> {
    return this.#run(async (c) => void (await c.expire(key, ttlSeconds)));
  }

  incr(key: string, ttlSeconds: number): Promise<number> {
    return this.#run(async (c) => {
      // One transaction, so a counter can never be left without its TTL by a crash in between.
      const results = await c.multi().incr(key).expire(key, ttlSeconds, 'NX').exec();
      const [incrError, value] = results?.[0] ?? [new Error('transaction aborted'), undefined];
      if (incrError) throw incrError;
      return Number(value);
    });
  }

  ttl(key: string): Promise<number> {
    return this.#run((c) => c.ttl(key));
  }

  sadd(key: string, members: readonly string[]): Promise<void> {
    if (members.length === 0) return Promise.resolve();
    return this.#run(async (c) => void (await c.sadd(key, ...members)));
  }

  srem(key: string, members: readonly string[]): Promise<void> {
    if (members.length === 0) return Promise.resolve();
    return this.#run(async (c) => void (await c.srem(key, ...members)));
  }

  smembers(key: string): Promise<string[] | undefined> {
    // Redis never keeps an empty set, so an empty reply means the key is missing: unknown, not empty.
    return this.#run(async (c) => {
      const members = await c.smembers(key);
      return members.length === 0 ? undefined : members;
    });
  }

  sinter(keys: readonly string[]): Promise<string[] | undefined> {
    if (keys.length === 0) return Promise.resolve([]);
    return this.#run(async (c) => {
      const results = await keys.reduce((m, k) => m.exists(k), c.multi().sinter(...keys)).exec();
      if (!results) throw new Error('transaction aborted');
      for (const [error] of results) if (error) throw error;
      const [, members] = results[0] ?? [];
      // An intersection involving a set we do not have is unknown, not empty.
      if (results.slice(1).some(([, n]) => n !== 1)) return undefined;
      return members as string[];
    });
  }

  health(): Promise<void> {
    return this.#run(async (c) => void (await c.ping()));
  }

  /** Deletes every key under our prefix (and nothing else); used after an outage overflowed. */
  flush(): Promise<void> {
    return this.#run(async (c) => {
      const pattern = this.keyPrefix.replace(/[*?[\]\\]/g, '\\$&') + '*';
      let cursor = '0';
      do {
        const [next, keys] = await c.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        // SCAN replies with full names; the client adds the prefix again on UNLINK.
        if (keys.length > 0) await c.unlink(...keys.map((k) => k.slice(this.keyPrefix.length)));
      } while (cursor !== '0');
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#client.status === 'ready') {
      await this.#client.quit().catch(() => undefined);
    }
    this.#client.disconnect();
  }

  async #run<T>(fn: (client: Redis) => Promise<T>): Promise<T> {
    try {
      return await fn(this.#client);
    } catch (error) {
      throw toAppError(error);
    }
  }
}

/** Connects and waits until Redis answers, for callers that need it up front. */
export async function createRedisCache(options: RedisCacheOptions): Promise<RedisCache> {
  const cache = new RedisCache(options);
  try {
    await cache.ready(options.connectTimeoutMs ?? 5000);
    return cache;
  } catch (error) {
    await cache.close();
    throw error;
  }
}

function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  // A reply error is Redis refusing our command (wrong type, not an integer): a bug on our side.
  if (error instanceof Error && error.name === 'ReplyError') {
    return new AppError('CACHE.MISUSE', 'the cache refused the command', { kind: 'INTERNAL', cause: error });
  }
  return unavailable('CACHE.UNAVAILABLE', 'the cache is unavailable', error);
}
