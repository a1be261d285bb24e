/** Test helpers: ffprobe a file, and pull one frame out of a video as raw RGBA with ffmpeg. */
import ffprobe from '@ffprobe-installer/ffprobe';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { FFMPEG } from '../../../server/modules/videos/render/encoder.ts';

const run = promisify(execFile);

export interface Probe {
  streams: {
    codec_type: string;
    codec_name: string;
    width?: number;
    height?: number;
    pix_fmt?: string;
    nb_read_frames?: string;
  }[];
  format: { duration: string };
}

export async function probe(file: string): Promise<Probe> {
  const { stdout } = await run(ffprobe.path, [
    ...['-v', 'error', '-count_frames', '-show_streams', '-show_format', '-of', 'json', file],
  ]);
  return JSON.parse(stdout) as Probe;
}

/** The frame at `time` seconds, as RGBA (width × height × 4 bytes). */
export async function frameAt(file: string, time: number, width: number, height: number): Promise<Buffer> {
  const { stdout } = await run(
    FFMPEG,
    [
      ...['-v', 'error', '-ss', String(time), '-i', file, '-frames:v', '1'],
      ...['-f', 'rawvideo', '-pix_fmt', 'rgba', 'pipe:1'],
    ],
    { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
  );
  if (stdout.length !== width * height * 4) throw new Error(`frame of ${stdout.length} bytes`);
  return stdout;
}

/** The frame at `time` seconds, as PNG. */
export async function pngAt(file: string, time: number): Promise<Buffer> {
  const { stdout } = await run(
    FFMPEG,
    [
      '-v',
      'error',
      '-ss',
      String(time),
      '-i',
      file,
      '-frames:v',
      '1',
      '-f',
      'image2pipe',
      '-vcodec',
      'png',
      'pipe:1',
    ],
    { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout;
}

/** Mean absolute difference per channel over a rectangle of two RGBA frames of the same width. */
export function diff(
  a: Buffer,
  b: Buffer,
  width: number,
  x0: number,
  y0: number,
  w: number,
  h: number,
): number {
  let sum = 0;
  for (let y = y0; y < y0 + h; y++)
    for (let x = x0; x < x0 + w; x++)
      for (let c = 0; c < 3; c++) {
        const i = (y * width + x) * 4 + c;
        sum += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
      }
  return sum / (w * h * 3);
}

/** Standard deviation of the luma-ish value over the whole frame: 0 for a uniform frame. */
export function spread(frame: Buffer): number {
  let sum = 0;
  let sq = 0;
  const n = frame.length / 4;
  for (let i = 0; i < frame.length; i += 4) {
    const v = ((frame[i] ?? 0) + (frame[i + 1] ?? 0) + (frame[i + 2] ?? 0)) / 3;
    sum += v;
    sq += v * v;
  }
  return Math.sqrt(Math.max(0, sq / n - (sum / n) ** 2));
}
