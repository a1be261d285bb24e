import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { RecordingRef, Recordings, ReplayEvent } from '../../../capabilities.ts';
import type { Logger } from '../../../lib/log.ts';
import type { Recording } from '../../../ports/sfu.ts';
import type { RoomMedia } from './media.ts';

type Untimed<E> = E extends ReplayEvent ? Omit<E, 'at'> : never;
export type TimelineEvent = Untimed<ReplayEvent>;

export interface RecorderOptions {
  readonly recordings: () => Recordings | undefined;
  readonly media: RoomMedia;
  /** Where the SFU writes segment files before they are uploaded. */
  readonly spoolDir: string;
  /** Media segments are cut, and the timeline flushed and the recording touched, this often. */
  readonly segmentSeconds: number;
  readonly logger: Logger;
}

/** A recording in progress as the room's snapshot keeps it, so a room reopened elsewhere carries on. */
export interface ActiveRecording {
  readonly ref: RecordingRef;
  readonly startedAt: number;
}

/**
 * The room's recorder: while on, every published track goes to the SFU's recorder (segments uploaded as
 * they close) and the room's edits, chat and rotations go to a timeline on the recording's clock, flushed
 * every few seconds. What a dying node loses is what it had not flushed: at most `segmentSeconds`.
 */
export class RoomRecorder {
  readonly #o: RecorderOptions;
  #active: ActiveRecording | undefined;
  #media: Recording | undefined;
  #buffer: ReplayEvent[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(options: RecorderOptions) {
    this.#o = options;
  }

  get active(): ActiveRecording | undefined {
    return this.#active;
  }

  /**
   * Starts a new recording, or carries on one a previous room of this dojo left running, unless that one
   * is no longer recording (the sweep finished it while nobody was here): then undefined, and nothing runs.
   */
  async start(
    dojo: { dojoId: string; tenantId: string },
    first: readonly TimelineEvent[],
    resume?: ActiveRecording,
  ): Promise<ActiveRecording | undefined> {
    if (this.#active) return this.#active;
    const recordings = this.#o.recordings();
    if (!recordings) return undefined;
    if (resume) {
      // Unreadable: carry on (if it was finished, the sweep finishes what this adds too).
      const status = await recordings.status(resume.ref).catch(() => 'UNREADABLE' as const);
      if (status !== 'RECORDING' && status !== 'UNREADABLE') return undefined;
    }
    const startedAt = resume?.startedAt ?? Date.now();
    const ref = resume?.ref ?? (await recordings.begin(dojo, new Date(startedAt)));
    this.#active = { ref, startedAt };
    // A new recording opens with the room as it stands at its very start (0 s), however long `begin` took.
    const openedAt = resume ? Date.now() : startedAt;
    for (const e of first) this.event(e, openedAt);
    const router = await this.#o.media.router();
    if (router) {
      const directory = path.join(this.#o.spoolDir, ref.recordingId);
      await mkdir(directory, { recursive: true });
      this.#media = await router.record({
        directory,
        segmentSeconds: this.#o.segmentSeconds,
        segment: (s) =>
          recordings.segment(ref, s).catch((error: unknown) => {
            this.#o.logger.warn({ err: error, recordingId: ref.recordingId }, 'segment not stored');
          }),
      });
    }
    this.#timer = setInterval(() => void this.#flush(), this.#o.segmentSeconds * 1000);
    this.#timer.unref();
    return this.#active;
  }

  /** Puts an event on the timeline (nothing while not recording). */
  event(e: TimelineEvent, now = Date.now()): void {
    const active = this.#active;
    if (!active) return;
    const at = Math.max(0, now - active.startedAt) / 1000;
    const last = this.#buffer[this.#buffer.length - 1];
    // Typing sends the whole buffer a few times a second: within a tenth of a second only the last counts.
    if (e.type === 'code' && last?.type === 'code' && at - last.at < 0.1) this.#buffer.pop();
    this.#buffer.push({ ...e, at } as ReplayEvent);
  }

  /** Ends the recording: the last segments and timeline go out, then it is queued for composition. */
  async stop(notify: readonly string[]): Promise<RecordingRef | undefined> {
    const active = this.#active;
    if (!active) return undefined;
    const stoppedAt = new Date();
    await this.#end();
    const recordings = this.#o.recordings();
    await recordings?.finish(active.ref, stoppedAt, notify);
    return active.ref;
  }

  /** Stops recording on this node without ending the recording (the room that took the dojo over goes on). */
  detach(): Promise<void> {
    return this.#end();
  }

  async #end(): Promise<void> {
    const active = this.#active;
    if (!active) return;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    const media = this.#media;
    this.#media = undefined;
    await media?.stop().catch((error: unknown) => {
      this.#o.logger.warn({ err: error }, 'recording did not stop cleanly');
    });
    await this.#flush();
    this.#active = undefined;
    // The SFU's writer may still be letting go of a file here: a spool left behind is only disk, never a
    // reason to fail the stop (the recording is stored and queued already).
    await rm(path.join(this.#o.spoolDir, active.ref.recordingId), {
      recursive: true,
      force: true,
      maxRetries: 5,
      retryDelay: 200,
    }).catch((error: unknown) => this.#o.logger.warn({ err: error }, 'recording spool not removed'));
  }

  #flush(): Promise<void> {
    this.#flushing = this.#flushing.then(async () => {
      const active = this.#active;
      const recordings = this.#o.recordings();
      if (!active || !recordings) return;
      const events = this.#buffer;
      this.#buffer = [];
      try {
        await recordings.timeline(active.ref, events);
        await recordings.touch(active.ref);
      } catch (error) {
        this.#buffer = [...events, ...this.#buffer];
        this.#o.logger.warn({ err: error, recordingId: active.ref.recordingId }, 'timeline not stored');
      }
    });
    return this.#flushing;
  }
}
