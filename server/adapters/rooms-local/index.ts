import { LocalDriver, LocalPresence } from '@colyseus/core';
import type { RoomsBackplane } from '../../ports/rooms.ts';

/** One process: the matchmaker's presence and listings in memory. */
export class LocalRoomsBackplane implements RoomsBackplane {
  readonly name = 'rooms-local';
  readonly presence = new LocalPresence();
  readonly driver = new LocalDriver();

  async health(): Promise<void> {}

  async close(): Promise<void> {}
}
