/**
 * Renders a user's year of POCs as a square MP4 (H.264 yuv420p + AAC, faststart) with a synthesized
 * soundtrack, and returns a PNG poster. Frames are drawn with @napi-rs/canvas on one reused canvas, only the
 * parts that changed are read back and converted to I420, and the frames are streamed to ffmpeg through its
 * stdin (never as files); the soundtrack goes through a temporary PCM file.
 */
import { createCanvas } from '@napi-rs/canvas';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { soundtrack } from './audio.ts';
import type { RenderOptions, RenderResult, YearInReviewData } from './data.ts';
import { startEncoder } from './encoder.ts';
import { I420Frames } from './frames.ts';
import { FramePainter } from './timeline.ts';

export type { RenderOptions, RenderResult, YearInReviewData } from './data.ts';

const even = (n: number): number => Math.max(2, Math.round(n / 2) * 2);

export async function renderYearVideo(
  data: YearInReviewData,
  outFile: string,
  options: RenderOptions = {},
): Promise<RenderResult> {
  const width = even(options.width ?? 1080);
  const height = even(options.height ?? 1080);
  const fps = options.fps ?? 30;
  const { signal, onProgress } = options;
  signal?.throwIfAborted();
  const painter = new FramePainter(data, width, height);
  const frames = Math.round(painter.duration * fps);
  const durationSec = frames / fps;

  painter.paint(painter.posterTime());
  // Encoded on libuv's pool while the frames are drawn, from a copy: the canvas goes on changing.
  const still = createCanvas(width, height);
  still.getContext('2d').drawImage(painter.canvas, 0, 0);
  const poster = still.encode('png');
  poster.catch(() => {}); // awaited below, unless the render fails first

  const dir = await mkdtemp(path.join(tmpdir(), 'year-video-'));
  try {
    const audioFile = path.join(dir, 'soundtrack.raw');
    await writeFile(audioFile, soundtrack(durationSec));
    signal?.throwIfAborted();
    const encoder = startEncoder({ width, height, fps, audioFile, outFile, signal });
    let last = 0;
    const i420 = new I420Frames(width, height);
    for (let i = 0; i < frames; i++) {
      if (signal?.aborted) {
        await encoder.finish().catch(() => undefined);
        signal.throwIfAborted();
      }
      // A still frame is the previous one again: neither drawn nor read back.
      const frame = i420.update(painter.pixels, painter.paint(i / fps));
      await encoder.write(frame, i420.lend(frame));
      const fraction = ((i + 1) / frames) * 0.99;
      if (onProgress && fraction - last >= 0.005) onProgress((last = fraction));
    }
    await encoder.finish();
    onProgress?.(1);
  } catch (error) {
    await rm(outFile, { force: true });
    throw error;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return { durationSec, frames, width, height, poster: await poster };
}
