import type { Room } from '@colyseus/core';
import type { Config } from '../config/index.ts';
import type { AnyEndpoint } from './http/endpoint.ts';
import type { Metrics } from './http/metrics.ts';
import type { Logger } from './lib/log.ts';
import type { Adapters } from './adapters/index.ts';
import type { Migration } from './ports/store.ts';
import type { AccountsService } from './modules/accounts/service.ts';
import type { RetryPolicy, DeliveredMessage } from './ports/queue.ts';

/**
 * What modules offer each other within one running system, filled by their `init` hooks in boot order
 * (so a module may use what an earlier one offers).
 */
export interface SystemServices {
  accounts?: AccountsService;
}

export interface ModuleContext {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly adapters: Adapters;
  readonly services: SystemServices;
}

export interface RoomDefinition {
  readonly name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly room: new (...args: any[]) => Room;
  /** Passed to the room's onCreate: how a room gets the system's adapters without module state. */
  readonly options?: Record<string, unknown>;
  /** Join options that must match for joinOrCreate to pick an existing room (Colyseus filterBy). */
  readonly filterBy?: readonly string[];
}

export interface WorkerDefinition {
  readonly topic: string;
  readonly group: string;
  readonly retry?: RetryPolicy;
  readonly handler: (message: DeliveredMessage) => Promise<void>;
}

/**
 * A capability of the product (accounts, POCs, dojos…): what it needs from the store and the queue, and what
 * it offers each role. The system wires every module once at boot; a role that is not enabled never builds
 * that module's part.
 */
export interface DojoModule {
  readonly name: string;
  readonly migrations?: readonly Migration[];
  readonly topics?: readonly string[];
  /** Builds the module's per-system state once, before any role asks for endpoints, rooms or workers. */
  init?(ctx: ModuleContext): void | Promise<void>;
  endpoints?(ctx: ModuleContext): readonly AnyEndpoint[];
  rooms?(ctx: ModuleContext): readonly RoomDefinition[];
  workers?(ctx: ModuleContext): readonly WorkerDefinition[];
  /** Releases what the module holds (timers, subscriptions) at shutdown. */
  close?(): Promise<void>;
}
