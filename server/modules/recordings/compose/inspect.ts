/**
 * Looking at a composed MP4 from the outside, for the tests: ffprobe's view of its streams, format and
 * chapters, one decoded frame as RGB, a stretch of its sound as PCM, and how loud one tone is in it.
 */
import ffmpeg from '@ffmpeg-installer/ffmpeg';
import ffprobe from '@ffprobe-installer/ffprobe';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const MAX_BUFFER = 64 * 1024 * 1024;

export interface Probe {
  streams: { codec_type: string; codec_name: string; pix_fmt?: string; width?: number; height?: number }[];
  format: { duration: string };
  chapters: { start_time: string; end_time: string; tags?: { title?: string } }[];
}

export async function probe(file: string): Promise<Probe> {
  const args = ['-v', 'error', '-show_streams', '-show_chapters', '-show_format', '-of', 'json', file];
  const { stdout } = await run(ffprobe.path, args, { maxBuffer: MAX_BUFFER });
  return JSON.parse(stdout) as Probe;
}

export interface Frame {
  readonly width: number;
  readonly height: number;
  /** [r, g, b] at (x, y). */
  pixel(x: number, y: number): [number, number, number];
  /** Mean luma (0..255) of a rectangle. */
  luma(x: number, y: number, w: number, h: number): number;
}

export async function frameAt(file: string, seconds: number, width: number, height: number): Promise<Frame> {
  const args = ['-v', 'error', '-ss', String(seconds), '-i', file, '-frames:v', '1'];
  const { stdout } = await run(ffmpeg.path, [...args, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], {
    encoding: 'buffer',
    maxBuffer: MAX_BUFFER,
  });
  const pixel = (x: number, y: number): [number, number, number] => {
    const i = (y * width + x) * 3;
    return [stdout[i] ?? 0, stdout[i + 1] ?? 0, stdout[i + 2] ?? 0];
  };
  return {
    width,
    height,
    pixel,
    luma(x, y, w, h) {
      let sum = 0;
      for (let j = y; j < y + h; j++)
        for (let i = x; i < x + w; i++) {
          const [r, g, b] = pixel(i, j);
          sum += 0.299 * r + 0.587 * g + 0.114 * b;
        }
      return sum / (w * h);
    },
  };
}

/** Mono float samples at 48 kHz from `seconds` on. */
export async function soundAt(file: string, seconds: number, duration: number): Promise<Float32Array> {
  const args = ['-v', 'error', '-ss', String(seconds), '-t', String(duration), '-i', file, '-vn'];
  const { stdout } = await run(ffmpeg.path, [...args, '-ac', '1', '-ar', '48000', '-f', 'f32le', '-'], {
    encoding: 'buffer',
    maxBuffer: MAX_BUFFER,
  });
  return new Float32Array(stdout.buffer, stdout.byteOffset, Math.floor(stdout.length / 4));
}

/** The amplitude of one frequency in the samples (Goertzel): about the sine's peak when it is there. */
export function toneAmplitude(samples: Float32Array, hz: number, rate = 48_000): number {
  const k = (2 * Math.PI * hz) / rate;
  const coeff = 2 * Math.cos(k);
  let s1 = 0;
  let s2 = 0;
  for (const x of samples) {
    const s = x + coeff * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return (2 * Math.sqrt(Math.max(0, power))) / samples.length;
}

export const rms = (samples: Float32Array): number =>
  Math.sqrt(samples.reduce((sum, x) => sum + x * x, 0) / Math.max(1, samples.length));
