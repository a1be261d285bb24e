import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Auth, Events, Notify, Push } from '../../capabilities.ts';
import type { Logger } from '../../lib/log.ts';
import type { Blobs } from '../../ports/blobs.ts';
import { chaptersOf, pilotTurns } from './chapters.ts';
import type { RecordingRow, RecordingsRepo } from './repo.ts';
import { storedEvent } from './history.ts';
import { blobKey, readTimeline } from './service.ts';

/** Compositions of one recording in all (deliveries after crashes included) before it is FAILED. */
export const MAX_COMPOSE_ATTEMPTS = 4;

export interface ComposerOptions {
  readonly repo: RecordingsRepo;
  readonly blobs: Blobs;
  readonly auth: () => Auth;
  readonly push: () => Push | undefined;
  readonly notify: () => Notify | undefined;
  readonly events: () => Events | undefined;
  readonly logger: Logger;
  /** Frame size of the MP4 (default 1280×720). */
  readonly size?: { readonly width: number; readonly height: number };
}

/**
 * Composes one stopped recording (the workers role, from `recordings.compose`): downloads its segments,
 * has ffmpeg make the MP4 (grid, mixed audio, pilot highlight, a chapter per pilot turn), stores it, then
 * READY and `recording.ready`. READY is written only after the file is stored, so a worker dying half-way
 * leaves it PROCESSING: the job comes again (or the sweep queues it) and composes from the start.
 */
export class RecordingComposer {
  readonly #o: ComposerOptions;

  constructor(options: ComposerOptions) {
    this.#o = options;
  }

  async run(dojoId: string, recordingId: string, lastDelivery: boolean): Promise<void> {
    const recording = await this.#o.repo.get(dojoId, recordingId);
    if (recording?.status !== 'PROCESSING') return;
    const attempts = recording.attempts + 1;
    await this.#o.repo.update(recording, { attempts, touched: new Date() });
    if (attempts > MAX_COMPOSE_ATTEMPTS)
      return this.#fail(recording, `gave up after ${MAX_COMPOSE_ATTEMPTS} attempts`);
    const dir = await mkdtemp(path.join(tmpdir(), 'dojo-recording-'));
    try {
      await this.#compose(recording, dir);
    } catch (error) {
      this.#o.logger.warn({ err: error, recordingId, attempts }, 'recording composition failed');
      if (!lastDelivery) throw error;
      await this.#fail(recording, error instanceof Error ? error.message : String(error));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async #compose(recording: RecordingRow, dir: string): Promise<void> {
    const { repo, blobs } = this.#o;
    const startedAt = recording.startedAt.getTime();
    const durationMs = Math.max(1000, (recording.stoppedAt?.getTime() ?? startedAt) - startedAt);
    const [media, events] = await Promise.all([
      repo.parts(recording.recordingId, 'media/'),
      readTimeline(repo, blobs, recording),
    ]);
    const names = await this.#names(recording.tenantId, [
      ...media.map((p) => p.participantId),
      ...events.flatMap((e) => (e.type === 'rotate' ? [e.pilotId] : [])),
    ]);
    const nameOf = (id: string) => names.get(id) ?? 'Someone';
    const byParticipant = new Map<
      string,
      { startMs: number; endMs: number; file: string; kinds: ('audio' | 'video')[] }[]
    >();
    await Promise.all(
      media.map(async (part, i) => {
        const file = path.join(dir, `${i}.webm`);
        const blob = await blobs.get(part.blobKey);
        if (!blob) return;
        await pipeline(blob.body, createWriteStream(file));
        let list = byParticipant.get(part.participantId);
        if (!list) byParticipant.set(part.participantId, (list = []));
        list.push({
          startMs: part.startedAt.getTime() - startedAt,
          endMs: part.endedAt.getTime() - startedAt,
          file,
          kinds: part.kinds.filter((k): k is 'audio' | 'video' => k === 'audio' || k === 'video'),
        });
      }),
    );
    const turns = pilotTurns(events, durationMs);
    const chapters = chaptersOf(turns, nameOf);
    const output = path.join(dir, 'recording.mp4');
    let shown = 0;
    // Loaded with the first job: nodes without the workers role never load the composer.
    const { composeRecording } = await import('./compose/compose.ts');
    await composeRecording({
      input: {
        durationMs,
        ...(this.#o.size ?? {}),
        participants: [...byParticipant].map(([participantId, segments]) => ({
          participantId,
          name: nameOf(participantId),
          segments: segments.sort((a, b) => a.startMs - b.startMs),
        })),
        pilotTurns: turns.map((t, i) => ({ ...t, title: chapters[i]?.title ?? '' })),
      },
      output,
      onProgress: (fraction: number) => {
        const at = Math.min(95, Math.floor(fraction * 95));
        if (at < shown + 5) return;
        shown = at;
        void repo.update(recording, { progress: at, touched: new Date() }).catch(() => undefined);
        void this.#tell(recording, 'PROCESSING', at);
      },
    });
    const key = blobKey(recording, 'recording.mp4');
    const { size } = await stat(output);
    await blobs.put(key, createReadStream(output), { contentType: 'video/mp4', contentLength: size });
    // Before READY: a crash in between composes again and records it again, which the read model ignores
    // (one row per recording); after READY it would never be recorded.
    await this.#o.events()?.emit([storedEvent(recording, durationMs)]);
    await repo.update(recording, {
      status: 'READY',
      progress: 100,
      video_key: key,
      duration_ms: durationMs,
      chapters,
      touched: new Date(),
    });
    await repo.closed(recording.recordingId);
    await this.#tell(recording, 'READY', 100);
    await this.#o.notify()?.send(
      recording.notify.map((userId) => ({
        tenantId: recording.tenantId,
        userId,
        type: 'recording.ready' as const,
        title: 'The dojo recording is ready',
        message: `${chapters.length} turn${chapters.length === 1 ? '' : 's'}, ${Math.round(durationMs / 60_000)} min. Watch it with the code beside it.`,
        data: { dojoId: recording.dojoId, recordingId: recording.recordingId },
        dedupeKey: `recording.ready:${recording.recordingId}:${userId}`,
      })),
    );
  }

  async #names(tenantId: string, ids: readonly string[]): Promise<Map<string, string>> {
    const unique = [...new Set(ids.filter(Boolean))];
    const users = await Promise.all(unique.map((id) => this.#o.auth().user(tenantId, id)));
    return new Map(unique.map((id, i) => [id, users[i]?.displayName ?? 'Someone']));
  }

  async #fail(recording: RecordingRow, reason: string): Promise<void> {
    await this.#o.repo.update(recording, {
      status: 'FAILED',
      error: reason.slice(0, 500),
      touched: new Date(),
    });
    await this.#o.repo.closed(recording.recordingId);
    await this.#tell(recording, 'FAILED', recording.progress);
  }

  async #tell(recording: RecordingRow, status: string, progress: number): Promise<void> {
    const push = this.#o.push();
    if (!push) return;
    await Promise.all(
      recording.notify.map((userId) =>
        push
          .toUser(userId, 'job:progress', { kind: 'recording', id: recording.recordingId, status, progress })
          .catch(() => undefined),
      ),
    );
  }
}
