/**
 * Renders a user's year of POCs as a square MP4 (H.264 yuv420p + AAC, faststart) with a synthesized
 * soundtrack, and returns a PNG poster. Frames are drawn with @napi-rs/canvas on one reused canvas, only the
 * parts that changed are read back and converted to I420, and the frames are streamed to ffmpeg through its
 * stdin (never as files). ffmpeg is started first and the soundtrack synthesized on a worker thread, so that
 * neither holds up the first frame.
 */
import { createCanvas } from '@napi-rs/canvas';
import { rm } from 'node:fs/promises';
import { soundtrackOffThread } from './audio-worker.ts';
import type { RenderOptions, RenderResult, YearInReviewData } from './data.ts';
import { startEncoder } from './encoder.ts';
import { I420Frames } from './frames.ts';
import { FramePainter, holds, repeatedFrames, scenesFor, totalDuration } from './timeline.ts';

const even = (n: number): number => Math.max(2, Math.round(n / 2) * 2);

/** The render itself, on the calling thread (thread.ts runs it on a thread of its own). */
export async function renderOnThisThread(
  data: YearInReviewData,
  outFile: string,
  options: RenderOptions = {},
): Promise<RenderResult> {
  const width = even(options.width ?? 1080);
  const height = even(options.height ?? 1080);
  const fps = options.fps ?? 30;
  const { signal, onProgress } = options;
  signal?.throwIfAborted();
  const scenes = scenesFor(data);
  const frames = Math.round(totalDuration(scenes) * fps);
  const durationSec = frames / fps;
  const held = holds(scenes, frames, fps);
  const repeated = repeatedFrames(held);
  const audio = soundtrackOffThread(durationSec);
  audio.catch(() => {}); // the encoder reports it
  const encoder = startEncoder({ width, height, fps, audio, holds: held, outFile, signal });
  try {
    const painter = new FramePainter(data, width, height);
    painter.paint(painter.posterTime());
    // Encoded on libuv's pool while the frames are drawn, from a copy: the canvas goes on changing.
    const still = createCanvas(width, height);
    still.getContext('2d').drawImage(painter.canvas, 0, 0);
    const poster = still.encode('png');
    poster.catch(() => {}); // awaited below, unless the render fails first
    let last = 0;
    const i420 = new I420Frames(width, height);
    for (let i = 0; i < frames; i++) {
      signal?.throwIfAborted();
      // A frame of a still part is the previous one again: ffmpeg repeats it (see holdFilter).
      if (!repeated.has(i)) {
        const frame = i420.update(painter.pixels, painter.paint(i / fps));
        await encoder.write(frame, i420.lend(frame));
      }
      const fraction = ((i + 1) / frames) * 0.99;
      if (onProgress && fraction - last >= 0.005) onProgress((last = fraction));
    }
    await encoder.finish();
    onProgress?.(1);
    return { durationSec, frames, width, height, poster: await poster };
  } catch (error) {
    await encoder.kill(); // before the half file goes
    await rm(outFile, { force: true });
    throw error;
  }
}
