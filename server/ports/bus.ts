import { AppError } from '../lib/errors.ts';

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

/** JSON for the wire; a message JSON cannot carry is the publisher's bug. */
export function encodeBusMessage(message: unknown): string {
  let payload: string | undefined;
  try {
    payload = JSON.stringify(message);
  } catch (error) {
    throw new AppError('BUS.UNSERIALIZABLE', 'bus messages must be JSON', { kind: 'INTERNAL', cause: error });
  }
  if (payload === undefined) {
    throw new AppError('BUS.UNSERIALIZABLE', 'bus messages must be JSON', { kind: 'INTERNAL' });
  }
  return payload;
}
