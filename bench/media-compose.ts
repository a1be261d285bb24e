/**
 * The recording composer's speed: N participants' raw VP8/Opus WebM segments (as a browser camera sends
 * them, 10 s files) composed into one MP4 by `composeRecording`, as a multiple of real time. Beside it, in
 * the same run, ffmpeg only decoding the same inputs (the peer baseline: no composer can beat it).
 * The segments are made before the timed part. Target: 6 participants at 720p ≥ 1× real time.
 *
 *   npm run bench -- media-compose [--participants 6] [--seconds 60] [--source 1280x720]
 */
import ffmpeg from '@ffmpeg-installer/ffmpeg';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { composeRecording } from '../server/modules/recordings/compose/compose.ts';
import { concatList } from '../server/modules/recordings/compose/files.ts';
import { recordStretch, type SegmentInput } from '../server/modules/recordings/compose/fixtures.ts';
import { numberOption, option } from './args.ts';

const exec = promisify(execFile);

export interface BenchComposeOptions {
  readonly participants?: number;
  readonly seconds?: number;
  readonly width?: number;
  readonly height?: number;
  /** The size each camera sends (default 1280×720). */
  readonly sourceWidth?: number;
  readonly sourceHeight?: number;
}

export interface Timing {
  readonly seconds: number;
  readonly wallSeconds: number;
  readonly realTimeMultiple: number;
  /** CPU (user + system) of the ffmpeg process, all its threads. */
  readonly cpuSeconds: number;
}

export interface BenchComposeResult extends Timing {
  /** ffmpeg decoding the same segments and nothing else. */
  readonly decodeOnly: Timing;
}

/** User + system time of this process's finished children (fields 16 and 17 of /proc/self/stat, in USER_HZ = 100). */
function childrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

async function timed(seconds: number, work: () => Promise<unknown>): Promise<Timing> {
  const cpu0 = childrenCpuSeconds();
  const t0 = performance.now();
  await work();
  const wallSeconds = (performance.now() - t0) / 1000;
  return {
    seconds,
    wallSeconds,
    realTimeMultiple: seconds / wallSeconds,
    cpuSeconds: childrenCpuSeconds() - cpu0,
  };
}

async function decodeAll(dir: string, tracks: readonly SegmentInput[][]): Promise<void> {
  const inputs: string[] = [];
  for (const [i, segments] of tracks.entries()) {
    const list = path.join(dir, `decode-${i}.ffconcat`);
    const entries = segments.map((s) => ({ file: s.file, durationMs: s.endMs - s.startMs }));
    await writeFile(list, concatList(entries));
    inputs.push('-f', 'concat', '-safe', '0', '-i', list);
  }
  const maps = tracks.flatMap((_, i) => ['-map', `${i}:v`, '-map', `${i}:a`]);
  await exec(ffmpeg.path, ['-v', 'error', '-nostdin', ...inputs, ...maps, '-f', 'null', '-']);
}

export async function benchCompose(o: BenchComposeOptions = {}): Promise<BenchComposeResult> {
  const participants = o.participants ?? 6;
  const seconds = o.seconds ?? 60;
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-compose-'));
  try {
    const tracks: SegmentInput[][] = [];
    // Two encodes at a time: the machine has 2 cores; this part is not timed.
    for (let i = 0; i < participants; i += 2) {
      const batch = Array.from({ length: Math.min(2, participants - i) }, (_, j) =>
        recordStretch({
          dir,
          name: `p${i + j}`,
          startMs: 0,
          durationMs: seconds * 1000,
          kinds: ['audio', 'video'],
          width: o.sourceWidth ?? 1280,
          height: o.sourceHeight ?? 720,
          videoBitrate: (o.sourceHeight ?? 720) >= 720 ? '1500k' : '600k',
          toneHz: 300 + 50 * (i + j),
        }),
      );
      tracks.push(...(await Promise.all(batch)));
    }
    const input = {
      durationMs: seconds * 1000,
      width: o.width ?? 1280,
      height: o.height ?? 720,
      participants: tracks.map((segments, i) => ({
        participantId: `p${i}`,
        name: `Participant ${i + 1}`,
        segments,
      })),
      pilotTurns: tracks.map((_, i) => ({
        atMs: (i * seconds * 1000) / participants,
        pilotId: `p${i}`,
        title: `Turn ${i + 1}`,
      })),
    };
    const decodeOnly = await timed(seconds, () => decodeAll(dir, tracks));
    const composed = await timed(seconds, () =>
      composeRecording({ input, output: path.join(dir, 'out.mp4') }),
    );
    return { ...composed, decodeOnly };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function run(args: readonly string[]): Promise<void> {
  const [sourceWidth, sourceHeight] = option(args, '--source', '1280x720').split('x').map(Number);
  const participants = numberOption(args, '--participants', 6);
  const seconds = numberOption(args, '--seconds', 60);
  console.log(
    `${participants} participants × ${seconds} s of ${sourceWidth}×${sourceHeight} VP8 + Opus → 1280×720`,
  );
  const r = await benchCompose({ participants, seconds, sourceWidth, sourceHeight });
  const line = (label: string, t: Timing) =>
    console.log(
      `${label} ${t.realTimeMultiple.toFixed(2)}× real time (${t.wallSeconds.toFixed(1)} s wall, ${t.cpuSeconds.toFixed(1)} s CPU)`,
    );
  line('(a) ffmpeg decoding the inputs only:', r.decodeOnly);
  line('(b) composeRecording:               ', r);
  console.log(`(b)/(a): ${(r.realTimeMultiple / r.decodeOnly.realTimeMultiple).toFixed(2)}`);
  // Wall time depends on what else the 2 cores run; CPU per recorded second does not.
  const perSecond = r.cpuSeconds / r.seconds;
  console.log(
    `CPU: ${perSecond.toFixed(2)} core-seconds per recorded second (${(r.decodeOnly.cpuSeconds / r.seconds).toFixed(2)} of it the decode alone); ` +
      `machine load ${loadavg()[0]?.toFixed(1)} on ${availableParallelism()} cores`,
  );
  console.log(
    `speed: ${r.realTimeMultiple.toFixed(2)}× real time (target ≥ 1×) ${r.realTimeMultiple >= 1 ? 'PASS' : 'MISS'}`,
  );
}
