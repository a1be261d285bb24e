import type { Server as HttpServer } from 'node:http';
import { LocalDriver, LocalPresence, Server, type Presence } from '@colyseus/core';
import { RedisDriver } from '@colyseus/redis-driver';
import { RedisPresence } from '@colyseus/redis-presence';
import { WebSocketTransport } from '@colyseus/ws-transport';
import type { HttpListener } from '../server/http/types.ts';
import type { Logger } from '../server/lib/log.ts';
import type { RoomDefinition } from '../server/modules.ts';

export interface RoomHostOptions {
  readonly httpServer: HttpServer;
  readonly app: HttpListener;
  readonly logger: Logger;
  /** With Redis, every node shares one matchmaker and rooms can be reached from any node. */
  readonly redisUrl: string | undefined;
  readonly publicAddress?: string;
  readonly rooms: readonly RoomDefinition[];
  /** Largest WebSocket message accepted, in bytes. */
  readonly maxPayloadBytes: number;
}

export interface RoomHost {
  readonly server: Server;
  readonly presence: Presence;
  listen(port: number, host: string): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * The rooms role: Colyseus on the same HTTP server as the API. Colyseus keeps its matchmaker in module state,
 * so one process hosts at most one RoomHost.
 */
export function createRoomHost(options: RoomHostOptions): RoomHost {
  const presence = options.redisUrl ? new RedisPresence(options.redisUrl) : new LocalPresence();
  const driver = options.redisUrl ? new RedisDriver(options.redisUrl) : new LocalDriver();
  const log = options.logger.child({ role: 'rooms' });
  const server = new Server({
    transport: new WebSocketTransport({ server: options.httpServer, maxPayload: options.maxPayloadBytes }),
    presence,
    driver,
    gracefullyShutdown: false,
    greet: false,
    ...(options.publicAddress ? { publicAddress: options.publicAddress } : {}),
    logger: {
      debug: (...a: unknown[]) => log.debug(a.map(String).join(' ')),
      info: (...a: unknown[]) => log.info(a.map(String).join(' ')),
      warn: (...a: unknown[]) => log.warn(a.map(String).join(' ')),
      error: (...a: unknown[]) => log.error(a.map(String).join(' ')),
    },
    express: (app) => {
      app.disable('x-powered-by');
      app.use(options.app);
    },
  });
  for (const def of options.rooms) {
    const handler = server.define(def.name, def.room, def.options);
    if (def.filterBy) handler.filterBy([...def.filterBy]);
  }
  return {
    server,
    presence,
    listen: async (port, host) => {
      await server.listen(port, host);
    },
    shutdown: () => server.gracefullyShutdown(false),
  };
}
