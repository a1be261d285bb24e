import { Redis } from 'ioredis';
import { withTimeout } from '../../lib/timeout.ts';
import { unavailable } from '../../lib/errors.ts';
import type { Logger } from '../../lib/log.ts';
import { LEASE_TTL_SECONDS, type LeaseClaim, type Leases } from '../../ports/lease.ts';

export interface RedisLeasesOptions {
  readonly url: string;
  /** config.redis.keyPrefix; leases live under `<keyPrefix>lease:`, announces on `<keyPrefix>lease-process:`. */
  readonly keyPrefix: string;
  readonly logger: Logger;
  readonly name?: string;
  /** CLIENT SETNAME of the two connections (`<name>:cmd`, `<name>:sub`), to find them in CLIENT LIST. */
  readonly clientName?: string;
  readonly connectTimeoutMs?: number;
  readonly commandTimeoutMs?: number;
}

// One script each, so the read and the write cannot interleave with another node's claim.
const CLAIM = `
local cur = redis.call('GET', KEYS[1])
if (not cur) or cur == ARGV[1] or (ARGV[2] ~= '' and cur == ARGV[2]) then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
  return {1, ARGV[1]}
end
return {0, cur}`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * Leases shared by every node on one Redis. A process is alive while some connection is subscribed to
 * its channel: `announce` subscribes this adapter's dedicated subscriber connection, and Redis drops a
 * connection's subscriptions the moment it closes, including when its process is SIGKILLed, so no
 * heartbeat or TTL wait is needed. The flip side: while the subscriber is disconnected, this process looks
 * dead to the others (ioredis re-subscribes on reconnect), which `health()` reports.
 */
export class RedisLeases implements Leases {
  readonly name: string;
  readonly #keys: string;
  readonly #channels: string;
  readonly #client: Redis;
  readonly #subscriber: Redis;
  readonly #commandTimeoutMs: number;
  #closed = false;

  constructor(options: RedisLeasesOptions) {
    this.name = options.name ?? 'lease-redis';
    this.#keys = `${options.keyPrefix}lease:`;
    this.#channels = `${options.keyPrefix}lease-process:`;
    this.#commandTimeoutMs = options.commandTimeoutMs ?? 2000;
    const clientName = options.clientName ?? 'dojo-lease';
    const common = {
      connectTimeout: options.connectTimeoutMs ?? 2000,
      retryStrategy: (times: number) => (this.#closed ? null : Math.min(50 * 2 ** times, 2000)),
    };
    // Short timeouts and few retries: a room that cannot claim its lease is told so, rather than hanging.
    this.#client = new Redis(options.url, {
      ...common,
      connectionName: `${clientName}:cmd`,
      commandTimeout: this.#commandTimeoutMs,
      maxRetriesPerRequest: 2,
    });
    // A subscribed connection can do nothing else, hence its own; it re-announces after a reconnect.
    this.#subscriber = new Redis(options.url, {
      ...common,
      connectionName: `${clientName}:sub`,
      autoResubscribe: true,
    });
    for (const [role, client] of [
      ['command', this.#client],
      ['subscriber', this.#subscriber],
    ] as const) {
      // Logged once per outage, not once per reconnect attempt.
      let last: string | undefined;
      client.on('error', (error: Error) => {
        if (last !== error.message) options.logger.warn({ err: error, role }, 'lease redis error');
        last = error.message;
      });
      client.on('ready', () => (last = undefined));
    }
  }

  /** Resolves once both connections are up, or fails with LEASE.UNAVAILABLE after timeoutMs. */
  async ready(timeoutMs = 5000): Promise<void> {
    await Promise.all([waitReady(this.#client, timeoutMs), waitReady(this.#subscriber, timeoutMs)]);
  }

  claim(key: string, holder: string, expected = ''): Promise<LeaseClaim> {
    return this.#run(async () => {
      const reply = await this.#client.eval(CLAIM, 1, this.#keys + key, holder, expected, LEASE_TTL_SECONDS);
      const [ok, current] = reply as [number, string];
      return ok === 1 ? { acquired: true } : { acquired: false, holder: current };
    });
  }

  holder(key: string): Promise<string | undefined> {
    return this.#run(async () => (await this.#client.get(this.#keys + key)) ?? undefined);
  }

  async release(key: string, holder: string): Promise<void> {
    await this.#run(() => this.#client.eval(RELEASE, 1, this.#keys + key, holder));
  }

  async announce(processId: string): Promise<void> {
    // SUBSCRIBE is idempotent; the subscriber has no command timeout of its own, so it gets one here.
    await this.#run(() =>
      withTimeout(
        () => this.#subscriber.subscribe(this.#channels + processId),
        this.#commandTimeoutMs,
        () => new Error('SUBSCRIBE timed out'),
      ),
    );
  }

  processAlive(processId: string): Promise<boolean> {
    return this.#run(async () => {
      const [, count] = (await this.#client.pubsub('NUMSUB', this.#channels + processId)) as [string, number];
      return Number(count) > 0;
    });
  }

  async health(): Promise<void> {
    if (this.#subscriber.status !== 'ready') {
      throw unavailable('LEASE.UNAVAILABLE', `the lease subscriber is ${this.#subscriber.status}`);
    }
    await this.#run(() => this.#client.ping());
  }

  async close(): Promise<void> {
    this.#closed = true;
    // UNSUBSCRIBE first: once it is answered the others see us gone, without waiting for the socket to close.
    if (this.#subscriber.status === 'ready') await this.#subscriber.unsubscribe().catch(() => undefined);
    await Promise.all(
      [this.#client, this.#subscriber].map(async (client) => {
        if (client.status === 'ready') await client.quit().catch(() => undefined);
        client.disconnect();
      }),
    );
  }

  async #run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw unavailable('LEASE.UNAVAILABLE', 'the lease store is unavailable', error);
    }
  }
}

/** Connects and waits until both connections are up, for callers that need leases up front. */
export async function createRedisLeases(options: RedisLeasesOptions): Promise<RedisLeases> {
  const leases = new RedisLeases(options);
  try {
    await leases.ready(options.connectTimeoutMs ?? 5000);
    return leases;
  } catch (error) {
    await leases.close();
    throw error;
  }
}

function waitReady(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(unavailable('LEASE.UNAVAILABLE', `the lease store did not connect within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    client.once('ready', onReady);
  });
}
