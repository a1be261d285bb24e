import { Redis } from 'ioredis';
import { type Bus, type BusHandler, encodeBusMessage } from '../../ports/bus.ts';
import { AppError, unavailable } from '../../lib/errors.ts';
import type { Logger } from '../../lib/log.ts';
import { withTimeout } from '../../lib/timeout.ts';

export interface RedisBusOptions {
  readonly url: string;
  /** Prepended to every channel name (config.redis.keyPrefix), so apps and test runs can share a Redis. */
  readonly keyPrefix: string;
  readonly logger: Logger;
  readonly name?: string;
  /** CLIENT SETNAME of the two connections (`<name>:pub`, `<name>:sub`), to find them in CLIENT LIST. */
  readonly clientName?: string;
  readonly subscribeTimeoutMs?: number;
}

interface Channel {
  readonly handlers: Set<BusHandler>;
  /** Settles once Redis confirmed the SUBSCRIBE; later subscribers to the channel wait on it too. */
  readonly active: Promise<void>;
}

/**
 * Redis pub/sub: one connection publishes, a dedicated one subscribes (a subscribed connection can do
 * nothing else). ioredis re-subscribes every channel after a reconnect; messages sent meanwhile are lost,
 * which the Bus port allows.
 */
export class RedisBus implements Bus {
  readonly name: string;
  readonly #prefix: string;
  readonly #logger: Logger;
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  readonly #channels = new Map<string, Channel>();
  readonly #subscribeTimeoutMs: number;
  #closed = false;

  constructor(options: RedisBusOptions) {
    this.name = options.name ?? 'bus-redis';
    this.#prefix = options.keyPrefix;
    this.#logger = options.logger;
    this.#subscribeTimeoutMs = options.subscribeTimeoutMs ?? 5000;
    const clientName = options.clientName ?? 'dojo-bus';
    const common = {
      connectTimeout: 2000,
      retryStrategy: (times: number) => (this.#closed ? null : Math.min(50 * 2 ** times, 2000)),
    };
    // Publishing is best effort: fail at once instead of queueing while Redis is away.
    this.#publisher = new Redis(options.url, {
      ...common,
      connectionName: `${clientName}:pub`,
      enableOfflineQueue: false,
      commandTimeout: 1000,
      maxRetriesPerRequest: 1,
    });
    this.#subscriber = new Redis(options.url, {
      ...common,
      connectionName: `${clientName}:sub`,
      autoResubscribe: true,
    });
    for (const [role, client] of [
      ['publisher', this.#publisher],
      ['subscriber', this.#subscriber],
    ] as const) {
      client.on('error', (error: Error) =>
        this.#logger.warn({ err: error, bus: this.name, role }, 'bus redis error'),
      );
    }
    this.#subscriber.on('ready', () => this.#logger.debug({ bus: this.name }, 'bus subscriber connected'));
    this.#subscriber.on('message', (channel: string, payload: string) => this.#dispatch(channel, payload));
  }

  /** Resolves once both connections are up, or fails with BUS.UNAVAILABLE after timeoutMs. */
  async ready(timeoutMs = 5000): Promise<void> {
    await Promise.all([waitReady(this.#publisher, timeoutMs), waitReady(this.#subscriber, timeoutMs)]);
  }

  async publish(channel: string, message: unknown): Promise<void> {
    const payload = encodeBusMessage(message);
    try {
      await this.#publisher.publish(this.#prefix + channel, payload);
    } catch (error) {
      throw unavailable('BUS.UNAVAILABLE', 'the bus is unavailable', error);
    }
  }

  async subscribe(channel: string, handler: BusHandler): Promise<() => Promise<void>> {
    let entry = this.#channels.get(channel);
    if (!entry) {
      entry = { handlers: new Set(), active: this.#redisSubscribe(channel) };
      this.#channels.set(channel, entry);
      const created = entry;
      created.active.catch(() => {
        if (this.#channels.get(channel) !== created) return;
        this.#channels.delete(channel);
        // A SUBSCRIBE that timed out may still be queued; undo it once it goes through.
        this.#subscriber.unsubscribe(this.#prefix + channel).catch(() => undefined);
      });
    }
    entry.handlers.add(handler);
    try {
      await entry.active;
    } catch (error) {
      entry.handlers.delete(handler);
      throw error;
    }
    const subscribed = entry;
    return async () => {
      if (!subscribed.handlers.delete(handler) || subscribed.handlers.size > 0) return;
      if (this.#channels.get(channel) !== subscribed) return;
      this.#channels.delete(channel);
      await this.#subscriber.unsubscribe(this.#prefix + channel).catch((error: unknown) => {
        this.#logger.warn({ err: error, channel }, 'bus unsubscribe failed');
      });
    };
  }

  async health(): Promise<void> {
    if (this.#subscriber.status !== 'ready') {
      throw unavailable('BUS.UNAVAILABLE', `the bus subscriber is ${this.#subscriber.status}`);
    }
    try {
      await this.#publisher.ping();
    } catch (error) {
      throw unavailable('BUS.UNAVAILABLE', 'the bus is unavailable', error);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#channels.clear();
    await Promise.all(
      [this.#publisher, this.#subscriber].map(async (client) => {
        if (client.status === 'ready') await client.quit().catch(() => undefined);
        client.disconnect();
      }),
    );
  }

  async #redisSubscribe(channel: string): Promise<void> {
    try {
      await withTimeout(
        () => this.#subscriber.subscribe(this.#prefix + channel),
        this.#subscribeTimeoutMs,
        () => unavailable('BUS.UNAVAILABLE', `subscribing to ${channel} timed out`),
      );
    } catch (error) {
      throw error instanceof AppError
        ? error
        : unavailable('BUS.UNAVAILABLE', 'the bus is unavailable', error);
    }
  }

  #dispatch(prefixed: string, payload: string) {
    if (!prefixed.startsWith(this.#prefix)) return;
    const channel = prefixed.slice(this.#prefix.length);
    for (const handler of [...(this.#channels.get(channel)?.handlers ?? [])]) {
      try {
        // Parsed per handler, so one handler mutating its message cannot affect another.
        handler(JSON.parse(payload));
      } catch (error) {
        this.#logger.error({ err: error, channel }, 'bus handler failed');
      }
    }
  }
}

/** Connects and waits until both connections are up, for callers that need the bus up front. */
export async function createRedisBus(options: RedisBusOptions): Promise<RedisBus> {
  const bus = new RedisBus(options);
  try {
    await bus.ready();
    return bus;
  } catch (error) {
    await bus.close();
    throw error;
  }
}

function waitReady(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(unavailable('BUS.UNAVAILABLE', `the bus did not connect within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    client.once('ready', onReady);
  });
}
