import type { Room } from '@colyseus/core';
import type { Config } from '../config/index.ts';
import type { Adapters } from './adapters/index.ts';
import type { Capabilities, CapabilityName, NewDomainEvent } from './capabilities.ts';
import type { AnyEndpoint } from './http/endpoint.ts';
import type { Metrics } from './http/metrics.ts';
import type { UpgradeTarget } from './http/upgrades.ts';
import type { ErrorKind } from './lib/errors.ts';
import type { Logger } from './lib/log.ts';
import type { DeliveredMessage, RetryPolicy } from './ports/queue.ts';
import type { Migration } from './ports/store.ts';

/**
 * What a module is given at init: the system's configuration, logger, metrics and adapters, and the
 * capabilities that modules earlier in boot order provide (reading one nobody provides throws, naming it).
 */
export interface ModuleContext extends Readonly<Capabilities> {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly adapters: Adapters;
  /**
   * A capability if some module provides it, for a module that works without it (the accounts module
   * notifies when a notifications module runs). Read when used, not at init: providers may init later.
   */
  optional<K extends CapabilityName>(name: K): Capabilities[K] | undefined;
  /**
   * Every module's facts as they stand in the store, as the domain events that would build them (each
   * module's `history`), a page at a time: what a backfill of a read model replays.
   */
  history(): AsyncIterable<readonly NewDomainEvent[]>;
}

export interface RoomDefinition {
  readonly name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly room: new (...args: any[]) => Room;
  /** Passed to the room's onCreate: how a room gets the module's running parts without module state. */
  readonly options?: Record<string, unknown>;
  /** Join options that must match for joinOrCreate to pick an existing room (Colyseus filterBy). */
  readonly filterBy?: readonly string[];
  /**
   * The codes the room refuses a seat with (its refusal messages start with `CODE: `) and what each
   * means, so the matchmaking route answers each with its 4xx.
   */
  readonly joinErrors?: Readonly<Record<string, ErrorKind>>;
}

interface WorkerBase {
  readonly topic: string;
  readonly group: string;
  readonly retry?: RetryPolicy;
}

/**
 * What a workers node consumes: one message at a time (`handler`), or batches of one partition's messages
 * (`batch`), for work that is cheaper done together (a projector's one transaction per batch).
 */
export type WorkerDefinition =
  | (WorkerBase & { readonly handler: (message: DeliveredMessage) => Promise<void> })
  | (WorkerBase & {
      readonly batch: {
        readonly maxMessages?: number;
        readonly handler: (messages: readonly DeliveredMessage[]) => Promise<void>;
      };
    });

/** Work a node repeats on a timer (every node that runs the module), e.g. checking whether a key is due. */
export interface PeriodicTask {
  readonly name: string;
  readonly everyMs: number;
  /** Also run once at boot. */
  readonly atStart?: boolean;
  readonly run: () => Promise<void>;
}

/**
 * A module running in one system: what it serves in each role and what it offers the modules after it.
 * The system serves `endpoints` only with the api role, `rooms` only with rooms, `workers` only with
 * workers; `tasks` run on every node; `close` is called once at shutdown, after the roles drained.
 */
export interface ModuleInstance {
  readonly endpoints?: readonly AnyEndpoint[];
  readonly rooms?: readonly RoomDefinition[];
  readonly workers?: readonly WorkerDefinition[];
  readonly tasks?: readonly PeriodicTask[];
  /** WebSocket upgrades the module serves (e.g. socket.io), offered after the front door's origin check. */
  readonly upgrades?: readonly UpgradeTarget[];
  readonly provides?: Partial<Capabilities>;
  /** The module's facts as they stand in its tables, as domain events, a page at a time (for backfills). */
  readonly history?: () => AsyncIterable<readonly NewDomainEvent[]>;
  close?(): Promise<void>;
}

/**
 * A capability of the product (accounts, POCs, dojos…): what it needs from the store and the queue, and how
 * to start it. `init` builds all of the module's state for one system and returns it; nothing is kept in
 * module scope, so a process may run several systems (tests do).
 */
export interface DojoModule {
  readonly name: string;
  readonly migrations?: readonly Migration[];
  readonly topics?: readonly string[];
  init(ctx: ModuleContext): ModuleInstance | Promise<ModuleInstance>;
}
