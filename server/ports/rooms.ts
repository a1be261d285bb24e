import type { MatchMakerDriver, Presence } from '@colyseus/core';

/**
 * What the rooms role of every node shares, in Colyseus's own terms: its presence (pub/sub between the
 * nodes' matchmakers, each process's channel) and its matchmaker driver (the room listings). Adapters:
 * rooms-redis (every node on one Redis) and rooms-local (one process). Made only on nodes with the rooms
 * role; Colyseus ends both at its shutdown, and `close` ends whatever is still open.
 */
export interface RoomsBackplane {
  readonly name: string;
  readonly presence: Presence;
  readonly driver: MatchMakerDriver;
  health(): Promise<void>;
  close(): Promise<void>;
}
