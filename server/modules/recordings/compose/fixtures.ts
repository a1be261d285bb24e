/**
 * Raw segments as the room's recorder leaves them, made with ffmpeg for the tests and the benchmark: one
 * participant's stretch of VP8 (lavfi testsrc2, a moving pattern) and/or Opus (a sine tone), cut into WebM
 * files of `segmentMs` at forced keyframes, written as a live stream (no cues, no duration) whose
 * timestamps go on from file to file and do not start at 0, as werift's writer does.
 */
import ffmpeg from '@ffmpeg-installer/ffmpeg';
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ManifestInput, MediaKind } from './manifest.ts';

export type SegmentInput = ManifestInput['participants'][number]['segments'][number];

const run = promisify(execFile);

/** Where the first file's timestamps begin: not 0, as in werift's files. */
const TS_OFFSET_MS = 3217;

export interface StretchOptions {
  readonly dir: string;
  /** File name prefix, unique per stretch. */
  readonly name: string;
  /** Where the stretch begins on the recording's clock. */
  readonly startMs: number;
  readonly durationMs: number;
  readonly segmentMs?: number;
  readonly kinds: readonly MediaKind[];
  readonly width?: number;
  readonly height?: number;
  readonly fps?: number;
  readonly toneHz?: number;
  readonly videoBitrate?: string;
}

export async function recordStretch(o: StretchOptions): Promise<SegmentInput[]> {
  const segmentMs = o.segmentMs ?? 10_000;
  const seconds = (o.durationMs / 1000).toFixed(3);
  const video = o.kinds.includes('video');
  const audio = o.kinds.includes('audio');
  const size = `${o.width ?? 640}x${o.height ?? 360}`;
  const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'];
  if (video) args.push('-f', 'lavfi', '-i', `testsrc2=s=${size}:r=${o.fps ?? 25}:d=${seconds}`);
  if (audio) args.push('-f', 'lavfi', '-i', `sine=f=${o.toneHz ?? 440}:d=${seconds}:sample_rate=48000`);
  if (video)
    args.push(
      ...['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', o.videoBitrate ?? '800k'],
      ...['-force_key_frames', `expr:gte(t,n_forced*${segmentMs / 1000})`],
    );
  if (audio) args.push('-c:a', 'libopus', '-b:a', '32k', '-ac', '2');
  // The muxer cuts on the shifted clock: at the offset plus each multiple of segmentMs.
  const cuts = Array.from({ length: Math.ceil(o.durationMs / segmentMs) - 1 }, (_, i) =>
    ((TS_OFFSET_MS + (i + 1) * segmentMs) / 1000).toFixed(3),
  );
  args.push(
    ...['-output_ts_offset', (TS_OFFSET_MS / 1000).toFixed(3), '-f', 'segment'],
    ...(cuts.length ? ['-segment_times', cuts.join(',')] : ['-segment_time', '86400']),
    ...['-segment_format', 'webm', '-segment_format_options', 'live=1'],
    path.join(o.dir, `${o.name}-%04d.webm`),
  );
  await run(ffmpeg.path, args);
  const files = (await readdir(o.dir))
    .filter((f) => f.startsWith(`${o.name}-`) && f.endsWith('.webm'))
    .sort();
  const kinds = [...o.kinds];
  const segments = files.map((f, i) => ({
    file: path.join(o.dir, f),
    startMs: o.startMs + i * segmentMs,
    endMs: o.startMs + Math.min((i + 1) * segmentMs, o.durationMs),
    kinds,
  }));
  // The segment muxer may leave a last file of a few audio packets past the end.
  return segments.filter((s) => s.endMs > s.startMs);
}
