import { EventEmitter } from 'node:events';
import type { Server as HttpServer } from 'node:http';
import { createAuthContext, matchMaker, Server } from '@colyseus/core';
import { WebSocketTransport } from '@colyseus/ws-transport';
import type { AnyEndpoint } from '../server/http/endpoint.ts';
import type { UpgradeTarget } from '../server/http/upgrades.ts';
import type { Logger } from '../server/lib/log.ts';
import type { RoomDefinition } from '../server/modules.ts';
import type { RoomsBackplane } from '../server/ports/rooms.ts';
import { matchmakeEndpoint } from './matchmake.ts';

export interface RoomHostOptions {
  readonly logger: Logger;
  /** Colyseus's presence and driver (with Redis, every node shares one matchmaker). */
  readonly backplane: RoomsBackplane;
  readonly publicAddress?: string;
  readonly rooms: readonly RoomDefinition[];
  /** Largest WebSocket message accepted, in bytes. */
  readonly maxPayloadBytes: number;
}

export interface RoomHost {
  /** The matchmaking route, served by the front door like any endpoint. */
  readonly endpoints: readonly AnyEndpoint[];
  /** The WebSocket upgrades of room connections, once the front door accepted them. */
  readonly upgrades: UpgradeTarget;
  /** Joins the matchmaker (after this, rooms may be created on this node). */
  start(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * The rooms role: Colyseus's matchmaker and room connections, behind the server's own front door. Colyseus
 * never sees an HTTP request (its router, CORS and body reading are not used): the matchmaking route is an
 * endpoint of ours, and room connections reach its transport through an emitter the front door feeds.
 * Colyseus keeps its matchmaker in module state, so one process hosts at most one RoomHost.
 */
export function createRoomHost(options: RoomHostOptions): RoomHost {
  const { presence, driver } = options.backplane;
  const log = options.logger.child({ role: 'rooms' });
  const transport = new WebSocketTransport({ noServer: true, maxPayload: options.maxPayloadBytes });
  const upgrades = new EventEmitter();
  // The transport listens for 'upgrade' (and 'close', to stop its ping timer) on what it is attached to.
  transport.attachToServer(upgrades as unknown as HttpServer);
  const server = new Server({
    transport,
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
  });
  for (const def of options.rooms) {
    const handler = server.define(def.name, def.room, def.options);
    if (def.filterBy) handler.filterBy([...def.filterBy]);
  }
  const joinErrors = Object.assign({}, ...options.rooms.map((r) => r.joinErrors ?? {}));
  return {
    endpoints: [
      matchmakeEndpoint({
        logger: log,
        joinErrors,
        invoke: (method, roomName, joinOptions, auth) =>
          matchMaker.controller.invokeMethod(
            method,
            roomName,
            joinOptions,
            // Colyseus would believe any X-Forwarded-For: the front door's address (TRUST_PROXY) wins.
            {
              ...createAuthContext({
                headers: auth.headers as Record<string, string | undefined>,
                token: auth.token,
              }),
              ip: auth.ip,
            },
          ),
        shuttingDown: () => matchMaker.state === matchMaker.MatchMakerState.SHUTTING_DOWN,
      }),
    ],
    upgrades: {
      name: 'rooms',
      matches: () => true,
      accept: (req, socket, head) => upgrades.emit('upgrade', req, socket, head),
    },
    start: () => matchMaker.accept(),
    shutdown: async () => {
      await server.gracefullyShutdown(false);
      upgrades.emit('close');
    },
  };
}
