import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Auth, Notify, Push, ReadModel } from '../../capabilities.ts';
import type { Logger } from '../../lib/log.ts';
import type { Blobs } from '../../ports/blobs.ts';
import type { Video, VideoJobs } from './jobs.ts';
import { renderYearVideo } from './render/index.ts';

/** Attempts of one video in all (deliveries after crashes included) before it is FAILED for good. */
export const MAX_VIDEO_ATTEMPTS = 4;

export interface VideoBuilderOptions {
  readonly jobs: VideoJobs;
  readonly readModel: () => ReadModel;
  readonly auth: () => Auth;
  readonly blobs: Blobs;
  readonly push: () => Push | undefined;
  readonly notify: () => Notify | undefined;
  readonly logger: Logger;
  readonly staleMs: number;
  /** Frame size (default 1080); tests render smaller. */
  readonly size?: number;
}

/**
 * Renders one video (the workers role, from `videos.jobs`): the user's year from the read model, drawn and
 * encoded into a temporary file, uploaded with the poster, then DONE. The row turns DONE only after both
 * files are stored, so a render that dies half-way never serves a half file: its job comes again (or is
 * queued again by the sweep once stale) and renders from the start.
 */
export class VideoBuilder {
  readonly #o: VideoBuilderOptions;

  constructor(options: VideoBuilderOptions) {
    this.#o = options;
  }

  async run(videoId: string, lastDelivery: boolean): Promise<void> {
    const video = await this.#o.jobs.start(videoId, this.#o.staleMs);
    if (!video) return;
    if (video.attempts > MAX_VIDEO_ATTEMPTS)
      return this.#fail(video, `gave up after ${MAX_VIDEO_ATTEMPTS} attempts`);
    await this.#tell(video, 'RUNNING', 1);
    const dir = await mkdtemp(path.join(tmpdir(), 'dojo-video-'));
    try {
      await this.#render(video, dir);
    } catch (error) {
      this.#o.logger.warn({ err: error, videoId, attempts: video.attempts }, 'video render failed');
      if (!lastDelivery) throw error;
      await this.#fail(video, error instanceof Error ? error.message : String(error));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async #render(video: Video, dir: string): Promise<void> {
    const { jobs, blobs } = this.#o;
    const [user, year] = await Promise.all([
      this.#o.auth().user(video.tenant_id, video.user_id),
      this.#o.readModel().userYear(video.tenant_id, video.user_id, video.year),
    ]);
    const file = path.join(dir, 'video.mp4');
    let shown = 1;
    const size = this.#o.size ?? 1080;
    const result = await renderYearVideo(
      { displayName: user?.displayName ?? 'You', year: video.year, ...year },
      file,
      {
        width: size,
        height: size,
        onProgress: (fraction) => {
          const at = 1 + Math.floor(fraction * 94);
          if (at < shown + 5) return;
          shown = at;
          void jobs.progress(video.video_id, at).catch(() => undefined);
          void this.#tell(video, 'RUNNING', at);
        },
      },
    );
    const base = `videos/${video.user_id}/${video.video_id}`;
    const { size: bytes } = await stat(file);
    await blobs.put(`${base}/video.mp4`, createReadStream(file), {
      contentType: 'video/mp4',
      contentLength: bytes,
    });
    await blobs.put(`${base}/poster.png`, result.poster, {
      contentType: 'image/png',
      contentLength: result.poster.length,
    });
    await jobs.done(video.video_id, {
      videoKey: `${base}/video.mp4`,
      posterKey: `${base}/poster.png`,
      durationSec: result.durationSec,
      width: result.width,
      height: result.height,
    });
    await this.#tell(video, 'DONE', 100);
    await this.#o.notify()?.send([
      {
        tenantId: video.tenant_id,
        userId: video.user_id,
        type: 'video.ready',
        title: `Your ${video.year} in POCs is ready`,
        message: 'Watch your year in review.',
        data: { videoId: video.video_id },
        dedupeKey: `video.ready:${video.video_id}`,
      },
    ]);
  }

  async #fail(video: Video, reason: string): Promise<void> {
    await this.#o.jobs.failed(video.video_id, reason);
    await this.#tell(video, 'FAILED', video.progress);
  }

  async #tell(video: Video, status: string, progress: number): Promise<void> {
    await this.#o
      .push()
      ?.toUser(video.user_id, 'job:progress', { kind: 'video', id: video.video_id, status, progress })
      .catch(() => undefined);
  }
}
