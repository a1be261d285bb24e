import { mkdir } from 'node:fs/promises';
import type { Logger } from '../../lib/log.ts';
import type { MediaKind, Recording, RecordingOptions } from '../../ports/sfu.ts';
import type { Forwarder } from './forwarder.ts';
import { ParticipantRecorder } from './segment-writer.ts';

const DEFAULT_SEGMENT_SECONDS = 10;

/**
 * A room's recording: one segmented WebM writer per publishing participant. Every `segmentSeconds` each
 * writer cuts its file (so a node dying loses at most that much); a participant whose tracks change
 * (starts publishing video, stops, leaves) gets its current segment cut and a new one with what it now
 * publishes.
 */
export class RoomRecording implements Recording {
  private readonly options: RecordingOptions;
  private readonly logger: Logger;
  private readonly onStopped: () => void;
  private readonly writers = new Map<string, ParticipantRecorder>();
  private readonly ready: Promise<unknown>;
  private readonly timer: NodeJS.Timeout;
  private stopped: Promise<void> | undefined;

  constructor(options: RecordingOptions & { logger: Logger; onStopped: () => void }) {
    this.options = options;
    this.logger = options.logger;
    this.onStopped = options.onStopped;
    this.ready = mkdir(options.directory, { recursive: true });
    const seconds = options.segmentSeconds ?? DEFAULT_SEGMENT_SECONDS;
    this.timer = setInterval(() => {
      for (const writer of this.writers.values()) writer.cut();
    }, seconds * 1000);
  }

  /** What a participant publishes now (empty: nothing, or it left). */
  tracksChanged(participantId: string, tracks: ReadonlyMap<MediaKind, Forwarder>): void {
    if (this.stopped) return;
    let writer = this.writers.get(participantId);
    if (!writer) {
      if (tracks.size === 0) return;
      writer = new ParticipantRecorder({
        participantId,
        directory: this.options.directory,
        ready: this.ready,
        segment: this.options.segment,
        logger: this.logger,
      });
      this.writers.set(participantId, writer);
    }
    writer.retrack(tracks);
  }

  stop(): Promise<void> {
    this.stopped ??= (async () => {
      clearInterval(this.timer);
      await Promise.all([...this.writers.values()].map((w) => w.finish()));
      this.onStopped();
    })();
    return this.stopped;
  }
}
