import { type Bus, type BusHandler, encodeBusMessage } from '../../ports/bus.ts';
import type { Logger } from '../../lib/log.ts';

/**
 * The "network" memory buses publish on. Each bus gets its own hub unless one is passed, so separate
 * instances only talk when a test (or a single-process run) deliberately connects them.
 */
export class MemoryBusHub {
  readonly #channels = new Map<string, Set<(payload: string) => void>>();

  listen(channel: string, listener: (payload: string) => void): () => void {
    let listeners = this.#channels.get(channel);
    if (!listeners) {
      listeners = new Set();
      this.#channels.set(channel, listeners);
    }
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && this.#channels.get(channel) === listeners) this.#channels.delete(channel);
    };
  }

  deliver(channel: string, payload: string) {
    for (const listener of [...(this.#channels.get(channel) ?? [])]) listener(payload);
  }
}

export interface MemoryBusOptions {
  readonly hub?: MemoryBusHub;
  readonly logger?: Logger;
  readonly name?: string;
}

/** In-process pub/sub. Messages travel as JSON, like over Redis, so no subscriber shares a reference. */
export class MemoryBus implements Bus {
  readonly name: string;
  readonly #hub: MemoryBusHub;
  readonly #logger: Logger | undefined;
  readonly #subscriptions = new Set<() => void>();

  constructor(options: MemoryBusOptions = {}) {
    this.name = options.name ?? 'bus-memory';
    this.#hub = options.hub ?? new MemoryBusHub();
    this.#logger = options.logger;
  }

  async publish(channel: string, message: unknown): Promise<void> {
    const payload = encodeBusMessage(message);
    // Asynchronous like a real broker: a handler never runs inside the publisher's call stack.
    setImmediate(() => this.#hub.deliver(channel, payload));
  }

  async subscribe(channel: string, handler: BusHandler): Promise<() => Promise<void>> {
    const stop = this.#hub.listen(channel, (payload) => {
      try {
        handler(JSON.parse(payload));
      } catch (error) {
        this.#logger?.error({ err: error, channel }, 'bus handler failed');
      }
    });
    this.#subscriptions.add(stop);
    return async () => {
      this.#subscriptions.delete(stop);
      stop();
    };
  }

  async health(): Promise<void> {}

  async close(): Promise<void> {
    for (const stop of this.#subscriptions) stop();
    this.#subscriptions.clear();
  }
}
