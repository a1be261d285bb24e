import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import type {
  RecordingRef,
  Recordings,
  RecordingSegment,
  RecordingView,
  ReplayEvent,
} from '../../capabilities.ts';
import { uuid7 } from '../../lib/uuid7.ts';
import type { Blobs } from '../../ports/blobs.ts';
import type { Queue } from '../../ports/queue.ts';
import type { RecordingsRepo } from './repo.ts';

export const COMPOSE_TOPIC = 'recordings.compose';
const URL_TTL_SECONDS = 3600;
const pad = (n: number) => String(Math.max(0, Math.round(n))).padStart(15, '0');

export const mediaPart = (participantId: string, startedAt: number) =>
  `media/${participantId}/${pad(startedAt)}`;

export function blobKey(ref: Pick<RecordingRef, 'dojoId' | 'recordingId'>, name: string): string {
  return `recordings/${ref.dojoId}/${ref.recordingId}/${name}`;
}

export const enqueueComposition = (queue: Queue, ref: Pick<RecordingRef, 'dojoId' | 'recordingId'>) =>
  queue.publish(COMPOSE_TOPIC, [
    { key: ref.recordingId, value: { recordingId: ref.recordingId, dojoId: ref.dojoId } },
  ]);

/**
 * The recordings capability: the live room hands it media segments and timeline chunks as they close
 * (each uploaded at once, so a node dying loses only what it had not handed over yet), and ends the
 * recording; the REST side lists recordings and reads timelines.
 */
export class RecordingsService implements Recordings {
  readonly #repo: RecordingsRepo;
  readonly #blobs: Blobs;
  readonly #queue: Queue;
  readonly #now: () => Date;

  constructor(o: { repo: RecordingsRepo; blobs: Blobs; queue: Queue; now: () => Date }) {
    this.#repo = o.repo;
    this.#blobs = o.blobs;
    this.#queue = o.queue;
    this.#now = o.now;
  }

  async begin(dojo: { dojoId: string; tenantId: string }, at: Date): Promise<RecordingRef> {
    const ref = { recordingId: uuid7(at.getTime()), dojoId: dojo.dojoId, tenantId: dojo.tenantId };
    await this.#repo.create(ref, at);
    return ref;
  }

  async segment(ref: RecordingRef, segment: RecordingSegment): Promise<void> {
    const part = mediaPart(segment.participantId, segment.startedAt);
    const key = blobKey(ref, `${part}.webm`);
    try {
      // A segment is a few MB at most (10 s of camera video): read whole, it cannot change under the upload.
      const body = await readFile(segment.path);
      if (body.length === 0) return;
      await this.#blobs.put(key, body, { contentType: 'video/webm', contentLength: body.length });
      await this.#repo.addPart(ref.recordingId, {
        part,
        blobKey: key,
        participantId: segment.participantId,
        startedAt: new Date(segment.startedAt),
        endedAt: new Date(segment.endedAt),
        kinds: segment.kinds,
      });
      await this.touch(ref);
    } finally {
      await rm(segment.path, { force: true });
    }
  }

  async timeline(ref: RecordingRef, events: readonly ReplayEvent[]): Promise<void> {
    const first = events[0];
    if (!first) return;
    const last = events[events.length - 1] ?? first;
    const part = `timeline/${pad(first.at * 1000)}-${randomBytes(4).toString('hex')}`;
    const key = blobKey(ref, `${part}.json`);
    const body = Buffer.from(JSON.stringify(events));
    await this.#blobs.put(key, body, { contentType: 'application/json', contentLength: body.length });
    await this.#repo.addPart(ref.recordingId, {
      part,
      blobKey: key,
      participantId: '',
      startedAt: new Date(first.at * 1000),
      endedAt: new Date(last.at * 1000),
      kinds: [],
    });
  }

  touch(ref: RecordingRef): Promise<void> {
    return this.#repo.update(ref, { touched: this.#now() });
  }

  async finish(ref: RecordingRef, at: Date, notify: readonly string[]): Promise<void> {
    // A repeated finish (a retry, or the sweep racing the room) finds it PROCESSING: queueing again is
    // harmless, the composer skips a recording that is READY and redoes one that is not.
    await this.#repo.stop(ref, at, notify);
    await enqueueComposition(this.#queue, ref);
  }

  async list(dojoId: string): Promise<readonly RecordingView[]> {
    const rows = await this.#repo.list(dojoId);
    return Promise.all(
      rows.map(async (r) => ({
        recordingId: r.recordingId,
        status: r.status,
        startedAt: r.startedAt.toISOString(),
        chapters: r.chapters,
        ...(r.status === 'PROCESSING' ? { progress: r.progress } : {}),
        ...(r.durationMs !== null ? { durationSec: Math.round(r.durationMs / 100) / 10 } : {}),
        ...(r.status === 'READY' && r.videoKey
          ? { url: await this.#blobs.signedUrl(r.videoKey, { expiresInSeconds: URL_TTL_SECONDS }) }
          : {}),
      })),
    );
  }

  async status(ref: RecordingRef): Promise<RecordingView['status'] | undefined> {
    return (await this.#repo.get(ref.dojoId, ref.recordingId))?.status;
  }

  async replay(dojoId: string, recordingId?: string) {
    const recording = recordingId
      ? await this.#repo.get(dojoId, recordingId)
      : (await this.#repo.list(dojoId, 1))[0];
    if (!recording) return undefined;
    return {
      recordingId: recording.recordingId,
      events: await readTimeline(this.#repo, this.#blobs, recording),
    };
  }
}

/** Every timeline chunk of a recording, in order, as one list of events. */
export async function readTimeline(
  repo: RecordingsRepo,
  blobs: Blobs,
  ref: Pick<RecordingRef, 'recordingId'>,
): Promise<ReplayEvent[]> {
  const parts = await repo.parts(ref.recordingId, 'timeline/');
  const chunks = await Promise.all(
    parts.map(async (p) => {
      const blob = await blobs.get(p.blobKey);
      if (!blob) return [];
      const buffers: Buffer[] = [];
      for await (const b of blob.body) buffers.push(b as Buffer);
      return JSON.parse(Buffer.concat(buffers).toString('utf8')) as ReplayEvent[];
    }),
  );
  return chunks.flat().sort((a, b) => a.at - b.at);
}
