import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Redis, type RedisOptions } from 'ioredis';
import type { Namespace, ServerOptions } from 'socket.io';
import { unavailable } from '../../lib/errors.ts';
import type { Logger } from '../../lib/log.ts';
import { withTimeout } from '../../lib/timeout.ts';

type SocketIoAdapter = ReturnType<Extract<ServerOptions['adapter'], (nsp: Namespace) => unknown>>;

export interface RedisPushOptions {
  readonly url: string;
  /** config.redis.keyPrefix: the stream is `<keyPrefix>push`, its pub/sub channels `<keyPrefix>push#…`. */
  readonly keyPrefix: string;
  readonly logger: Logger;
  readonly name?: string;
  /** CLIENT SETNAME of the connections (`<name>:cmd`, `<name>:aux`), to find them in CLIENT LIST. */
  readonly clientName?: string;
  readonly connectTimeoutMs?: number;
  /** Entries kept in the stream (approximate trimming): how far back a node can catch up after an outage. */
  readonly maxLen?: number;
}

/**
 * The push module's backplane on Redis: socket.io's Redis Streams adapter, so that an event emitted on any
 * node reaches the user's sockets on every node. Broadcasts are appended to one stream that every node
 * reads with a blocking XREAD from its last offset, so a node whose connection drops for a moment reads
 * what it missed once it is back (pub/sub would lose it); commands issued while Redis is away wait in
 * ioredis's offline queue for a few seconds instead of failing at once.
 *
 * The adapter opens its stream reader and its pub/sub subscriber as duplicates of the command connection;
 * they are kept here so `close` ends them at once (the adapter alone ends its reader only after the
 * blocking XREAD returns, up to 5 s later).
 */
export class RedisPushAdapter {
  readonly name: string;
  readonly #o: RedisPushOptions;
  readonly #client: Redis;
  readonly #duplicates: Redis[] = [];
  readonly #instances = new Set<SocketIoAdapter>();
  #factory: ((nsp: Namespace) => SocketIoAdapter) | undefined;
  #closed = false;

  constructor(options: RedisPushOptions) {
    this.name = options.name ?? 'push-redis';
    this.#o = options;
    const clientName = options.clientName ?? 'dojo-push';
    this.#client = new Redis(options.url, {
      connectionName: `${clientName}:cmd`,
      connectTimeout: options.connectTimeoutMs ?? 2000,
      // Survive a brief outage: an event emitted meanwhile waits (about 10 s at most) rather than being lost.
      maxRetriesPerRequest: 10,
      // A burst of emits (one XADD each) goes out as one write, its replies come back as one read.
      enableAutoPipelining: true,
      retryStrategy: (times: number) => (this.#closed ? null : Math.min(50 * 2 ** times, 2000)),
    });
    this.#client.on('error', (error: Error) =>
      options.logger.warn({ err: error, adapter: this.name }, 'push redis error'),
    );
    handleRejections(this.#client);
    const duplicate = this.#client.duplicate.bind(this.#client);
    this.#client.duplicate = (override?: Partial<RedisOptions>) => {
      // The reader and the subscriber: same options (no command timeout, so a blocking XREAD is not cut).
      const client = duplicate({
        connectionName: `${clientName}:aux`,
        enableAutoPipelining: false,
        ...override,
      });
      client.on('error', (error: Error) =>
        options.logger.debug({ err: error, adapter: this.name }, 'push redis reader error'),
      );
      handleRejections(client);
      this.#duplicates.push(client);
      return client;
    };
  }

  /**
   * What the push module gives its socket.io Server as `adapter` (socket.io calls it with `new`: a plain
   * function, not an arrow). The stream reader starts with the first namespace, so a system that never runs
   * the push module reads nothing.
   */
  readonly adapter = ((owner: RedisPushAdapter) =>
    function (nsp: Namespace): SocketIoAdapter {
      return owner.#adapterFor(nsp);
    })(this);

  #adapterFor(nsp: Namespace): SocketIoAdapter {
    if (this.#closed) throw unavailable('PUSH.UNAVAILABLE', 'the push adapter is closed');
    this.#factory ??= createAdapter(this.#client, {
      streamName: `${this.#o.keyPrefix}push`,
      channelPrefix: `${this.#o.keyPrefix}push`,
      sessionKeyPrefix: `${this.#o.keyPrefix}push:session:`,
      maxLen: this.#o.maxLen ?? 10_000,
      // Push payloads are JSON: no binary scan of every event.
      onlyPlaintext: true,
    }) as unknown as (nsp: Namespace) => SocketIoAdapter;
    const instance = this.#factory(nsp);
    this.#instances.add(instance);
    return instance;
  }

  /** Resolves once the command connection is up, or fails with PUSH.UNAVAILABLE after timeoutMs. */
  async ready(timeoutMs = 5000): Promise<void> {
    if (this.#client.status === 'ready') return;
    await withTimeout(
      new Promise<void>((resolve) => this.#client.once('ready', () => resolve())),
      timeoutMs,
      () => unavailable('PUSH.UNAVAILABLE', `push redis did not connect within ${timeoutMs} ms`),
    );
  }

  async health(): Promise<void> {
    const down = [this.#client, ...this.#duplicates].find((c) => c.status !== 'ready');
    if (down) throw unavailable('PUSH.UNAVAILABLE', `a push redis connection is ${down.status}`);
    try {
      await withTimeout(
        () => this.#client.ping(),
        1000,
        () => unavailable('PUSH.UNAVAILABLE', 'push redis did not answer within 1 s'),
      );
    } catch (error) {
      throw unavailable('PUSH.UNAVAILABLE', 'push redis is unavailable', error);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Closing the adapters first stops the reader's loop; a reader disconnected under a live loop would
    // issue XREAD again at once, forever.
    for (const instance of this.#instances) instance.close();
    this.#instances.clear();
    for (const client of this.#duplicates) client.disconnect();
    if (this.#client.status === 'ready') await this.#client.quit().catch(() => undefined);
    this.#client.disconnect();
  }
}

/**
 * The adapter fires some commands without awaiting them (its SUBSCRIBE, the PUBLISH of a server-side
 * emit): when Redis is away or the client is closing, their rejection would be unhandled and end the
 * process. The promise each returns is the same one, only marked as handled.
 */
function handleRejections(client: Redis): void {
  for (const name of ['subscribe', 'ssubscribe', 'publish', 'spublish'] as const) {
    const original = client[name].bind(client) as (...args: unknown[]) => Promise<unknown>;
    (client as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
      const pending = original(...args);
      pending.catch(() => undefined);
      return pending;
    };
  }
}

/** Connects and waits for the command connection, for a boot that needs the backplane up front. */
export async function createRedisPushAdapter(options: RedisPushOptions): Promise<RedisPushAdapter> {
  const adapter = new RedisPushAdapter(options);
  try {
    await adapter.ready();
    return adapter;
  } catch (error) {
    await adapter.close();
    throw error;
  }
}
