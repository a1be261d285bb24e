/**
 * The year-in-review video render against ffmpeg alone. In one run, side by side, at the same size, codec
 * settings and soundtrack: (a) ffmpeg alone encoding the very frames our render makes, read from a raw I420
 * file written beforehand (so ffmpeg's work is the same and nothing else is timed), (a′) for reference,
 * ffmpeg encoding as many frames of a moving test pattern (lavfi testsrc2, harder to encode than our
 * mostly still frames), (b) our whole render of a sample year (soundtrack, poster, drawing with
 * @napi-rs/canvas, I420 through a pipe, the encode and the mux), in a child process (bench/video-render.ts)
 * so that its peak RSS and CPU are the render's own. Targets: (b) at ≥ 0.8 × the fps of (a), and ≥ 4 × real
 * time (video seconds / wall seconds of the whole render). On 2 noisy cores one pass of each varies by a
 * tenth: the figures are the medians of `--rounds` passes, (a), (a′) and (b) taken in turn in each.
 *
 *   npm run bench -- video [--width 1080] [--fps 30] [--rounds 5]
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { soundtrack } from '../server/modules/videos/render/audio.ts';
import { sampleYear } from '../server/modules/videos/render/data.ts';
import { I420Frames } from '../server/modules/videos/render/frames.ts';
import {
  AUDIO_CODEC,
  FFMPEG,
  OUTPUT,
  pcmInput,
  VIDEO_CODEC,
} from '../server/modules/videos/render/encoder.ts';
import { FramePainter } from '../server/modules/videos/render/timeline.ts';
import { numberOption } from './args.ts';

interface Rendered {
  frames: number;
  durationSec: number;
  seconds: number;
  bytes: number;
  cpuSeconds: number;
  peakRss: number;
  ffmpegPeakRss: number;
}

/** Writes the sample year's frames, exactly as the renderer makes them, to `file` as raw I420. */
function writeFrames(file: string, size: number, fps: number): number {
  const painter = new FramePainter(sampleYear(80), size, size);
  const i420 = new I420Frames(size, size);
  const frames = Math.round(painter.duration * fps);
  const fd = openSync(file, 'w');
  try {
    for (let i = 0; i < frames; i++) writeSync(fd, i420.update(painter.pixels, painter.paint(i / fps)));
  } finally {
    closeSync(fd);
  }
  return frames;
}

const QUIET = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'];

function exec(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err = (err + c.toString('utf8')).slice(-2000)));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${command} exited ${code}: ${err}`)),
    );
  });
}

const median = (xs: readonly number[]): number => medianBy(xs, (x) => x);

function medianBy<T>(xs: readonly T[], by: (x: T) => number): T {
  const sorted = [...xs].sort((p, q) => by(p) - by(q));
  return sorted[Math.floor((sorted.length - 1) / 2)] as T;
}

const mb = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MB`;
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');

export async function run(args: readonly string[]): Promise<void> {
  const size = numberOption(args, '--width', 1080);
  const fps = numberOption(args, '--fps', 30);
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-video-'));
  try {
    const raw = path.join(dir, 'frames.yuv');
    const frames = writeFrames(raw, size, fps);
    const audio = path.join(dir, 'soundtrack.raw');
    writeFileSync(audio, soundtrack(frames / fps));
    console.log(`${frames} frames at ${size}×${size}, ${fps} fps; x264 ${VIDEO_CODEC.slice(2).join(' ')}`);
    const encode = async (input: readonly string[], name: string) => {
      const started = performance.now();
      await exec(FFMPEG, [
        ...[
          ...QUIET,
          ...input,
          ...pcmInput(audio),
          '-map',
          '0:v',
          '-map',
          '1:a',
          '-frames:v',
          String(frames),
        ],
        ...[...VIDEO_CODEC, ...AUDIO_CODEC, ...OUTPUT, path.join(dir, name)],
      ]);
      return frames / ((performance.now() - started) / 1000);
    };

    const rawInput = ['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${size}x${size}`, '-r', String(fps)];
    const script = path.join(import.meta.dirname, 'video-render.ts');
    /** Our whole render in a child of its own (bench/video-render.ts), with `more` of its options. */
    const render = async (...more: string[]) => {
      const out = await exec(process.execPath, [
        script,
        '--width',
        String(size),
        '--fps',
        String(fps),
        ...more,
      ]);
      return JSON.parse(out.trim().split('\n').pop() ?? '{}') as Rendered & { heapMb: number };
    };
    const passes: { a: number; pattern: number; b: Rendered }[] = [];
    for (let round = 0; round < numberOption(args, '--rounds', 5); round++) {
      const a = await encode([...rawInput, '-i', raw], 'same.mp4');
      const pattern = await encode(
        ['-f', 'lavfi', '-i', `testsrc2=size=${size}x${size}:rate=${fps}`],
        'p.mp4',
      );
      passes.push({ a, pattern, b: await render() });
    }
    // Once more beside a heap the size of a workers' process: the render's own thread keeps its collections small.
    const loaded = await render('--ballast', '150');
    const aFps = median(passes.map((p) => p.a));
    const patternFps = median(passes.map((p) => p.pattern));
    const b = medianBy(
      passes.map((p) => p.b),
      (r) => r.seconds,
    );
    const bFps = b.frames / b.seconds;
    const ratio = bFps / aFps;
    const realTime = b.durationSec / b.seconds;
    const range = (xs: number[]) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
    console.log(`${passes.length} passes; medians, with each figure's range over the passes`);

    console.log(
      `(a)  ffmpeg alone, our frames from a file: ${aFps.toFixed(1)} fps (${range(passes.map((p) => p.a))})`,
    );
    console.log(
      `(a′) ffmpeg alone, testsrc2 (reference):   ${patternFps.toFixed(1)} fps (${range(passes.map((p) => p.pattern))})`,
    );
    console.log(
      `(b)  our whole render, sample year:         ${bFps.toFixed(1)} fps (${b.seconds.toFixed(1)} s, ${range(passes.map((p) => p.b.frames / p.b.seconds))} fps, ` +
        `${b.cpuSeconds.toFixed(1)} CPU s besides ffmpeg's, ${mb(b.bytes)} MP4)`,
    );
    console.log(
      `(b″) the same beside ${loaded.heapMb.toFixed(0)} MB of live heap:  ` +
        `${(loaded.frames / loaded.seconds).toFixed(1)} fps (${loaded.seconds.toFixed(1)} s, ${loaded.cpuSeconds.toFixed(1)} CPU s)`,
    );
    const ratios = passes.map((p) => p.b.frames / p.b.seconds / p.a);
    console.log(
      `(b)/(a): ${ratio.toFixed(2)} (target ≥ 0.8) ${verdict(ratio >= 0.8)}; pass by pass ` +
        ratios.map((r) => r.toFixed(2)).join(' '),
    );
    console.log(`(b)/(a′): ${(bFps / patternFps).toFixed(2)}`);
    console.log(`speed: ${realTime.toFixed(2)}× real time (target ≥ 4×) ${verdict(realTime >= 4)}`);
    console.log(`peak RSS: render process ${mb(b.peakRss)}, its ffmpeg ${mb(b.ffmpegPeakRss)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
