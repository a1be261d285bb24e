import { rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MediaRecorder } from 'werift/nonstandard';
import type { Logger } from '../../lib/log.ts';
import type { MediaKind, RecordedSegment, RecordingOptions } from '../../ports/sfu.ts';
import type { Forwarder } from './forwarder.ts';
import { setWebmDuration } from './webm-duration.ts';

interface OpenSegment {
  readonly path: string;
  recorder: Promise<{ recorder: MediaRecorder; kinds: MediaKind[] } | undefined>;
  unsubscribe: () => void;
  startedAt: number | undefined;
  endedAt: number | undefined;
}

/** How long a segment werift did not seal is left for its last queued writes. */
const UNSEALED_DRAIN_MS = 1000;

/** How long a new segment waits for a track's first packet (its codec) before it records without it. */
const FIRST_PACKET_TIMEOUT_MS = 5000;

/**
 * One participant's recording as a sequence of WebM files (werift's recorder: RTP depacketized into
 * Matroska blocks, no transcoding). A cut opens the next file before closing the current one, so no
 * packet falls between two segments, and asks for a keyframe so that the next file starts decodable
 * (werift's writer drops video until its first keyframe). Closed segments are handed out one at a time.
 */
export class ParticipantRecorder {
  private readonly participantId: string;
  private readonly directory: string;
  private readonly ready: Promise<unknown>;
  private readonly segment: RecordingOptions['segment'];
  private readonly logger: Logger;
  private tracks: ReadonlyMap<MediaKind, Forwarder> = new Map();
  private current: OpenSegment | undefined;
  private fileNumber = 0;
  private segmentIndex = 0;
  private handedOut: Promise<void> = Promise.resolve();
  private finished = false;

  constructor(options: {
    participantId: string;
    directory: string;
    ready: Promise<unknown>;
    segment: RecordingOptions['segment'];
    logger: Logger;
  }) {
    this.participantId = options.participantId;
    this.directory = options.directory;
    this.ready = options.ready;
    this.segment = options.segment;
    this.logger = options.logger;
  }

  /** Records these tracks from now on (a new segment). */
  retrack(tracks: ReadonlyMap<MediaKind, Forwarder>): void {
    this.tracks = new Map(tracks);
    this.cut();
  }

  /** Closes the current segment and opens the next with the same tracks. */
  cut(): void {
    if (this.finished) return;
    const previous = this.current;
    this.current = this.tracks.size ? this.open() : undefined;
    // The previous file is closed once the next one records, so no packet falls between the two.
    if (previous) this.close(previous, this.current?.recorder);
  }

  /** Closes the current segment and waits until every segment was handed out. */
  async finish(): Promise<void> {
    this.finished = true;
    const last = this.current;
    this.current = undefined;
    if (last) this.close(last);
    await this.handedOut;
  }

  private open(): OpenSegment {
    const index = this.fileNumber++;
    const safeId = this.participantId.replace(/[^A-Za-z0-9_-]/g, '_');
    const segment: OpenSegment = {
      path: path.join(this.directory, `${safeId}-${String(index).padStart(5, '0')}.webm`),
      recorder: Promise.resolve(undefined),
      unsubscribe: () => {},
      startedAt: undefined,
      endedAt: undefined,
    };
    segment.recorder = this.startRecorder(segment, [...this.tracks.values()]);
    return segment;
  }

  private async startRecorder(
    segment: OpenSegment,
    forwarders: readonly Forwarder[],
  ): Promise<{ recorder: MediaRecorder; kinds: MediaKind[] } | undefined> {
    await this.ready;
    const flowing = await Promise.all(
      forwarders.map((f) =>
        Promise.race([
          f.firstPacket.then(() => f),
          new Promise<undefined>((resolve) =>
            setTimeout(() => resolve(undefined), FIRST_PACKET_TIMEOUT_MS).unref(),
          ),
        ]),
      ),
    );
    const live = flowing.filter((f) => f !== undefined);
    const tracks = live.map((f) => f.track);
    if (!tracks.length) return undefined;
    const size = live.find((f) => f.kind === 'video')?.videoSize ?? { width: 640, height: 480 };
    const recorder = new MediaRecorder({
      path: segment.path,
      numOfTracks: tracks.length,
      width: size.width,
      height: size.height,
      // RTP timestamps rather than sender reports: a new segment would otherwise wait for the next SR.
      disableNtp: true,
      disableLipSync: true,
    });
    recorder.onError.subscribe((error) => {
      this.logger.error({ err: error, participantId: this.participantId }, 'recording a segment failed');
    });
    // The writer subscribes to the tracks once the last one is added: only then is a keyframe useful.
    for (const track of tracks) await recorder.addTrack(track);
    // The segment's times are those of the packets its writer saw.
    const subscriptions = tracks.map((track) =>
      track.onReceiveRtp.subscribe(() => {
        const now = Date.now();
        segment.startedAt ??= now;
        segment.endedAt = now;
      }),
    );
    segment.unsubscribe = () => subscriptions.forEach((s) => s.unSubscribe());
    for (const f of live) f.requestKeyframe();
    return { recorder, kinds: live.map((f) => f.kind) };
  }

  private close(segment: OpenSegment, next?: Promise<unknown>): void {
    const stopped = (async () => {
      await next?.catch(() => undefined);
      const started = await segment.recorder;
      segment.unsubscribe();
      if (!started) return undefined;
      await started.recorder.stop();
      // WebmFactory's own flag (not in its typings): set once it rewrote the Duration at the end of the file.
      const sealed = (started.recorder.writer as unknown as { ended?: boolean }).ended === true;
      if (!sealed) {
        // Its writer gave up waiting for the end of the tracks: blocks it had queued may still be on
        // their way to the file, and the receiver must not get (and delete) a file still written to.
        await sleep(UNSEALED_DRAIN_MS);
      }
      if (!sealed && segment.startedAt !== undefined && segment.endedAt !== undefined) {
        await setWebmDuration(segment.path, segment.endedAt - segment.startedAt);
      }
      return started.kinds;
    })();
    this.handedOut = this.handedOut.then(async () => {
      const kinds = await stopped.catch((error: unknown) => {
        this.logger.error({ err: error, participantId: this.participantId }, 'closing a segment failed');
        return undefined;
      });
      if (!kinds || segment.startedAt === undefined || segment.endedAt === undefined) {
        await rm(segment.path, { force: true });
        return;
      }
      const closed: RecordedSegment = {
        participantId: this.participantId,
        index: this.segmentIndex++,
        startedAt: segment.startedAt,
        endedAt: segment.endedAt,
        path: segment.path,
        kinds,
      };
      await this.segment(closed).catch((error: unknown) => {
        this.logger.error({ err: error, participantId: this.participantId }, 'the segment receiver failed');
      });
    });
  }
}
