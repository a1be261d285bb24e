/**
 * Fire-and-forget messages to every node (token revocations, cache invalidations, live-room notices).
 * Adapters: bus-redis (Redis pub/sub) and bus-memory (in-process). Delivery is best effort: anything
 * that must not be lost goes through the queue instead.
 */
export type BusHandler = (message: unknown) => void;

export interface Bus {
  readonly name: string;
  publish(channel: string, message: unknown): Promise<void>;
  /** Resolves once the subscription is active; returns the function that ends it. */
  subscribe(channel: string, handler: BusHandler): Promise<() => Promise<void>>;
  health(): Promise<void>;
  close(): Promise<void>;
}
