import { LIMITS } from '../../../../protocol/dojo.ts';
import type { Logger } from '../../../lib/log.ts';
import type { Auth, Events, Recordings } from '../../../capabilities.ts';
import type { Sfu } from '../../../ports/sfu.ts';
import type { DojoNotices } from '../notices.ts';
import type { ChatWriter } from '../chat-writer.ts';
import type { LiveRooms } from '../live.ts';
import type { DojosRepo } from '../repo.ts';
import type { SnapshotScheduler } from './snapshot.ts';

/** Tunables of the dojo room; tests shorten the windows. */
export interface DojoRoomOptions {
  /** How long a dropped connection keeps its seat (and its place in the rotation). */
  readonly reconnectSeconds: number;
  /** The turn length a new room starts with (the host changes it within 30–3600 s). */
  readonly defaultTurnSeconds: number;
  /** A chat message waits at most this long to be stored together with others (group commit). */
  readonly chatWindowMs: number;
  /** Changed rooms are snapshotted together every this many ms (and each once more on dispose). */
  readonly snapshotIntervalMs: number;
  /** How long a new room waits for a live lease holder (a room being disposed) before giving up. */
  readonly claimWaitMs: number;
  /** How often the room renews its lease and checks it still owns the dojo. */
  readonly leaseCheckMs: number;
  /** How often the rotation timer is checked. */
  readonly tickMs: number;
  /** Per-connection token bucket. */
  readonly rateLimit: { readonly burst: number; readonly perSecond: number };
  /** Beyond this many frames a second Colyseus drops the connection (a backstop to the token bucket). */
  readonly maxFramesPerSecond: number;
  readonly maxClients: number;
  /** State patches are sent this often (ms): the upper bound an edit waits before it goes out. */
  readonly patchRateMs: number;
  /** A recording's media segments are cut (and its timeline flushed) this often: what a dead node loses. */
  readonly segmentSeconds: number;
}

export const DEFAULT_ROOM_OPTIONS: DojoRoomOptions = {
  reconnectSeconds: 30,
  defaultTurnSeconds: LIMITS.defaultTurnSeconds,
  chatWindowMs: 20,
  snapshotIntervalMs: 500,
  claimWaitMs: 2000,
  leaseCheckMs: 5000,
  tickMs: 250,
  rateLimit: { burst: 20, perSecond: 10 },
  maxFramesPerSecond: 200,
  maxClients: 200,
  patchRateMs: 50,
  segmentSeconds: 10,
};

/** What the room needs from its system, handed to the class factory (no module-level state). */
export interface DojoRoomContext {
  readonly repo: DojosRepo;
  readonly live: LiveRooms;
  /** The node's chat writer, shared by its rooms (group commit). */
  readonly chat: ChatWriter;
  /** The node's snapshot writer, shared by its rooms (group commit). */
  readonly snapshots: SnapshotScheduler;
  readonly logger: Logger;
  readonly options: DojoRoomOptions;
  /** What members are told (the room's first opening: `dojo.started`). */
  readonly notices: Pick<DojoNotices, 'started'>;
  /** Verifies access tokens and looks users up (the kernel's `auth` capability). */
  readonly auth: Pick<Auth, 'verify' | 'user'>;
  /** Records the room's facts (opened, closed, who took part and for how long), when an events module runs. */
  readonly events: () => Events | undefined;
  /** The node's SFU (each room opens a router on it); undefined: the room has no media. */
  readonly sfu: Sfu | undefined;
  /** Where recordings are stored, when a recordings module runs. */
  readonly recordings: () => Recordings | undefined;
  /** A local directory for recording segments on their way to the blob store. */
  readonly spoolDir: string;
}
