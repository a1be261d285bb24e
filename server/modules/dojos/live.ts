import { randomUUID } from 'node:crypto';
import type { Logger } from '../../lib/log.ts';
import type { Bus } from '../../ports/bus.ts';
import { processOf, type Leases } from '../../ports/lease.ts';

/** What the REST side asks of a live room, wherever it runs. */
export type RoomCommand =
  | { readonly op: 'recording'; readonly dojoId: string; readonly userId: string; readonly on: boolean }
  | { readonly op: 'removeMessages'; readonly dojoId: string; readonly messageIds: readonly string[] };

export type CommandOutcome =
  | { readonly ok: true; readonly recordingId?: string | null }
  | { readonly ok: false; readonly code: 'NOT_HOST' };

/** The face a running DojoRoom shows this registry. */
export interface LiveRoom {
  /** Its lease value (`<processId>/<nonce>`). */
  readonly holder: string;
  handle(command: RoomCommand): CommandOutcome | Promise<CommandOutcome>;
}

const COMMANDS = 'dojo.rooms.commands';
const ANSWERS = 'dojo.rooms.answers';

interface Envelope {
  readonly requestId?: string;
  readonly command: RoomCommand;
}

/**
 * The live rooms of one system and the way to reach any dojo's room from any node: commands go out on the
 * bus (Redis pub/sub across nodes, in-process otherwise) and the node that runs the room answers. Which
 * node that is, and whether it is alive, comes from the dojo's lease.
 */
/** The lease port with every key in the dojo rooms' own namespace. */
export type RoomLeases = Pick<Leases, 'claim' | 'holder' | 'release' | 'processAlive'>;

function roomLeases(leases: Leases): RoomLeases {
  const key = (dojoId: string) => `dojo-room:${dojoId}`;
  return {
    claim: (dojoId, holder, expected) => leases.claim(key(dojoId), holder, expected),
    holder: (dojoId) => leases.holder(key(dojoId)),
    release: (dojoId, holder) => leases.release(key(dojoId), holder),
    processAlive: (processId) => leases.processAlive(processId),
  };
}

export class LiveRooms {
  /** Keyed by dojo id. */
  readonly leases: RoomLeases;
  readonly #announce: (processId: string) => Promise<void>;
  #announced: Promise<void> | undefined;
  readonly #bus: Bus;
  readonly #logger: Logger;
  readonly #processId: () => string | undefined;
  readonly #rooms = new Map<string, LiveRoom>();
  readonly #waiting = new Map<string, (outcome: CommandOutcome) => void>();
  #ready: Promise<Array<() => Promise<void>>> | undefined;

  constructor(options: { bus: Bus; leases: Leases; logger: Logger; processId: () => string | undefined }) {
    this.#bus = options.bus;
    this.leases = roomLeases(options.leases);
    this.#announce = (processId) => options.leases.announce(processId);
    this.#logger = options.logger;
    this.#processId = options.processId;
  }

  /**
   * Announces this process as alive to the other nodes (a room is about to hold a lease), once. A failed
   * announce is not kept: the next room tries again.
   */
  announce(): Promise<void> {
    const processId = this.#processId();
    if (!processId) return Promise.reject(new Error('this process runs no rooms'));
    this.#announced ??= this.#announce(processId).catch((error: unknown) => {
      this.#announced = undefined;
      throw error;
    });
    return this.#announced;
  }

  /** Subscribes once; every caller awaits the same subscription. */
  start(): Promise<unknown> {
    this.#ready ??= Promise.all([
      this.#bus.subscribe(COMMANDS, (m) => this.#onCommand(m as Envelope)),
      this.#bus.subscribe(ANSWERS, (m) => {
        const { requestId, outcome } = m as { requestId: string; outcome: CommandOutcome };
        this.#waiting.get(requestId)?.(outcome);
      }),
    ]).catch((error: unknown) => {
      // A failed subscription is not kept: the next caller tries again.
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  get processId(): string | undefined {
    return this.#processId();
  }

  register(dojoId: string, room: LiveRoom): void {
    this.#rooms.set(dojoId, room);
  }

  unregister(dojoId: string, room: LiveRoom): void {
    if (this.#rooms.get(dojoId) === room) this.#rooms.delete(dojoId);
  }

  local(dojoId: string): LiveRoom | undefined {
    return this.#rooms.get(dojoId);
  }

  /** Whether the process (and, for this process, the room) behind a lease value still runs. */
  async holderAlive(holder: string): Promise<boolean> {
    const pid = processOf(holder);
    if (pid === this.#processId()) return [...this.#rooms.values()].some((r) => r.holder === holder);
    return this.leases.processAlive(pid);
  }

  async isLive(dojoId: string): Promise<boolean> {
    if (this.#rooms.has(dojoId)) return true;
    const holder = await this.leases.holder(dojoId);
    return holder !== undefined && (await this.holderAlive(holder));
  }

  /** Sends a command to the dojo's room and waits for its answer; undefined when none came in time. */
  async ask(command: RoomCommand, timeoutMs = 3000): Promise<CommandOutcome | undefined> {
    const here = this.#rooms.get(command.dojoId);
    if (here) return here.handle(command);
    await this.start();
    const requestId = randomUUID();
    const answered = new Promise<CommandOutcome | undefined>((resolve) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(requestId);
        resolve(undefined);
      }, timeoutMs);
      this.#waiting.set(requestId, (outcome) => {
        clearTimeout(timer);
        this.#waiting.delete(requestId);
        resolve(outcome);
      });
    });
    await this.#bus.publish(COMMANDS, { requestId, command } satisfies Envelope);
    return answered;
  }

  /** Fire and forget: best effort, as the bus is (a room that misses it is reloaded from the store). */
  async tell(command: RoomCommand): Promise<void> {
    const here = this.#rooms.get(command.dojoId);
    if (here) {
      await here.handle(command);
      return;
    }
    await this.start();
    await this.#bus.publish(COMMANDS, { command } satisfies Envelope);
  }

  async #onCommand(envelope: Envelope): Promise<void> {
    const room = envelope?.command ? this.#rooms.get(envelope.command.dojoId) : undefined;
    if (!room) return;
    let outcome: CommandOutcome;
    try {
      outcome = await room.handle(envelope.command);
    } catch (error) {
      this.#logger.error({ err: error, op: envelope.command.op }, 'room command failed');
      return;
    }
    if (envelope.requestId) {
      this.#bus.publish(ANSWERS, { requestId: envelope.requestId, outcome }).catch((error: unknown) => {
        this.#logger.warn({ err: error }, 'room command answer not sent');
      });
    }
  }

  async close(): Promise<void> {
    const subscriptions = this.#ready;
    this.#ready = undefined;
    this.#rooms.clear();
    if (subscriptions) await Promise.allSettled((await subscriptions).map((unsubscribe) => unsubscribe()));
  }
}
