/**
 * What a dojo room keeps in the store so another node can carry on after this one dies: the code, the
 * rotation, the host, the participants and the recording flag. The chat is not in it: it is already
 * stored message by message and reloaded from there (so removals stay removed).
 */
import { z } from 'zod';
import type { Rotation } from './rotation.ts';

export const snapshotSchema = z.object({
  v: z.literal(1),
  hostId: z.string(),
  code: z.string(),
  language: z.string(),
  recording: z.boolean(),
  rotation: z.object({
    pilotId: z.string(),
    copilotId: z.string(),
    queue: z.array(z.string()),
    turnSeconds: z.number(),
    turnEndsAt: z.number(),
  }),
  participants: z.array(z.object({ userId: z.string(), name: z.string() })),
  /** The recording in progress, so a room reopened on another node carries it on. */
  activeRecording: z
    .object({ recordingId: z.string(), tenantId: z.string(), startedAt: z.number() })
    .optional(),
});
export type Snapshot = z.infer<typeof snapshotSchema>;

export interface SnapshotSource {
  readonly hostId: string;
  readonly code: string;
  readonly language: string;
  readonly recording: boolean;
  readonly rotation: Rotation;
  readonly participants: readonly { readonly userId: string; readonly name: string }[];
  readonly activeRecording?: {
    readonly recordingId: string;
    readonly tenantId: string;
    readonly startedAt: number;
  };
}

export function toSnapshot(s: SnapshotSource): Snapshot {
  return {
    v: 1,
    hostId: s.hostId,
    code: s.code,
    language: s.language,
    recording: s.recording,
    rotation: { ...s.rotation, queue: [...s.rotation.queue] },
    participants: s.participants.map((p) => ({ userId: p.userId, name: p.name })),
    ...(s.activeRecording ? { activeRecording: { ...s.activeRecording } } : {}),
  };
}

/** A stored snapshot, or undefined when there is none or it cannot be read (the room then starts fresh). */
export function parseSnapshot(value: unknown): Snapshot | undefined {
  const parsed = snapshotSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** A room as the scheduler sees it: a key and a way to capture its state now (undefined: nothing to save). */
export interface Snapshotted {
  readonly key: string;
  capture(): Snapshot | undefined;
}

export interface SnapshotItem {
  readonly key: string;
  readonly snapshot: Snapshot;
}

/**
 * Saves the snapshots of every room of a node: rooms mark themselves changed, and every `intervalMs` the
 * changed ones are captured and handed to `write` together, so a busy node group-commits its snapshots
 * (a few store writes per interval, not one per room) and no room is saved more than once per interval.
 * One write runs at a time, so an older state never lands after a newer one; a failed write marks its
 * rooms changed again.
 */
export class SnapshotScheduler {
  readonly #intervalMs: number;
  readonly #write: (items: SnapshotItem[]) => Promise<void>;
  readonly #onError: (error: unknown, keys: string[]) => void;
  readonly #dirty = new Map<string, Snapshotted>();
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> | undefined;
  #closed = false;

  constructor(options: {
    intervalMs: number;
    write: (items: SnapshotItem[]) => Promise<void>;
    onError: (error: unknown, keys: string[]) => void;
  }) {
    this.#intervalMs = options.intervalMs;
    this.#write = options.write;
    this.#onError = options.onError;
  }

  changed(room: Snapshotted): void {
    if (this.#closed) return;
    this.#dirty.set(room.key, room);
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      void this.#flush();
    }, this.#intervalMs);
  }

  async #flush(only?: Snapshotted): Promise<void> {
    while (this.#writing) await this.#writing;
    const rooms = only ? (this.#dirty.get(only.key) === only ? [only] : []) : [...this.#dirty.values()];
    for (const room of rooms) this.#dirty.delete(room.key);
    const items = rooms.flatMap((room) => {
      const snapshot = room.capture();
      return snapshot ? [{ key: room.key, snapshot }] : [];
    });
    if (items.length === 0) return;
    this.#writing = this.#write(items)
      .catch((error: unknown) => {
        for (const room of rooms) if (!this.#dirty.has(room.key)) this.#dirty.set(room.key, room);
        this.#onError(
          error,
          items.map((i) => i.key),
        );
        if (!this.#closed && !only) this.changed(rooms[0]!);
      })
      .finally(() => {
        this.#writing = undefined;
      });
    await this.#writing;
  }

  /** Saves one room now if it has unsaved changes (a room being disposed), after any write in flight. */
  async flush(room: Snapshotted): Promise<void> {
    await this.#flush(room);
    this.#dirty.delete(room.key);
  }

  /** Writes what is still unsaved and stops. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#flush();
  }
}
