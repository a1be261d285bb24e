import { RedisDriver } from '@colyseus/redis-driver';
import { RedisPresence } from '@colyseus/redis-presence';
import { Redis } from 'ioredis';
import { unavailable } from '../../lib/errors.ts';
import type { Logger } from '../../lib/log.ts';
import type { RoomsBackplane } from '../../ports/rooms.ts';

export interface RedisRoomsOptions {
  readonly url: string;
  readonly logger: Logger;
  readonly clientName?: string;
}

/**
 * Colyseus's Redis presence and driver on connections this adapter opens and names, so they show in the
 * boot log, in `/readyz` and in `CLIENT LIST`. Colyseus's keys and channels are its own (`roomcaches`,
 * `p:<processId>`…), unprefixed: one Redis database serves one deployment's rooms.
 */
export class RedisRoomsBackplane implements RoomsBackplane {
  readonly name = 'rooms-redis';
  readonly presence: RedisPresence;
  readonly driver: RedisDriver;
  readonly #clients: Redis[];

  constructor(options: RedisRoomsOptions) {
    const name = options.clientName ?? 'dojo-rooms';
    const connect = (role: string) => {
      const client = new Redis(options.url, { connectionName: `${name}:${role}`, connectTimeout: 2000 });
      let last: string | undefined;
      client.on('error', (error: Error) => {
        if (last !== error.message) options.logger.warn({ err: error, role }, 'rooms redis error');
        last = error.message;
      });
      client.on('ready', () => (last = undefined));
      return client;
    };
    const presence = connect('presence');
    const driver = connect('driver');
    // The presence subscribes on a duplicate of its client; the driver keeps its own connection.
    this.presence = new RedisPresence(presence);
    this.driver = new RedisDriver(driver);
    this.#clients = [presence, driver];
  }

  async health(): Promise<void> {
    try {
      await Promise.all(this.#clients.map((c) => c.ping()));
    } catch (error) {
      throw unavailable('ROOMS.BACKPLANE_UNAVAILABLE', 'The rooms backplane (Redis) is unavailable', error);
    }
  }

  async close(): Promise<void> {
    // Colyseus's shutdown usually ended them already.
    if (this.#clients.every((c) => c.status === 'end')) return;
    this.presence.shutdown();
    await this.driver.shutdown().catch(() => undefined);
  }
}
