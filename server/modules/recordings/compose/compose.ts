/**
 * Composes a dojo's raw recorded tracks into one MP4 with a single ffmpeg process and one filter graph:
 * a grid of the participants' video with their names, the pilot's tile outlined during each turn, every
 * voice mixed, one chapter per pilot turn. See README.md.
 */
import ffmpeg from '@ffmpeg-installer/ffmpeg';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { concatList, chaptersMetadata, writeCompositionFiles } from './files.ts';
import { runFfmpeg } from './ffmpeg-process.ts';
import { filterGraph, labelSizes } from './graph.ts';
import { loadLabelFont } from './labels.ts';
import { parseManifest, type Manifest } from './manifest.ts';
import { planComposition, type CompositionPlan } from './plan.ts';
import { readableSegments, type SkippedSegment } from './segments.ts';

export type { ManifestInput } from './manifest.ts';
export type { SkippedSegment } from './segments.ts';

export interface ComposeOptions {
  /** The manifest (see manifest.ts); validated here. */
  readonly input: unknown;
  /** Where the MP4 goes (removed again if the composition fails). */
  readonly output: string;
  readonly ffmpegPath?: string;
  /** 0..1, from ffmpeg's position in the output against durationMs; 1 once the file is complete. */
  readonly onProgress?: (fraction: number) => void;
  /** Aborting kills ffmpeg; the promise then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Where the lists, labels and graph are written while ffmpeg runs (default: the OS temp dir). */
  readonly tempDir?: string;
}

export interface ComposeResult {
  readonly durationMs: number;
  readonly width: number;
  readonly height: number;
  readonly chapters: number;
  /** Segments left out because their file was missing, empty or not WebM; the rest is still composed. */
  readonly skipped: readonly SkippedSegment[];
}

/** x264 at a speed that keeps 6 × 720p compositions above real time on 2 cores (bench: media-compose). */
const VIDEO_CODEC = ['-c:v', 'libx264', '-preset', 'superfast', '-crf', '23', '-pix_fmt', 'yuv420p'];
const AUDIO_CODEC = ['-c:a', 'aac', '-b:a', '128k'];

function ffmpegArgs(
  m: Manifest,
  plan: CompositionPlan,
  lists: readonly string[],
  chapters: string,
  graph: string,
) {
  const inputs = plan.inputs.flatMap((input, i) => [
    ...['-f', 'concat', '-safe', '0', '-reinit_filter', '0', '-fflags', '+genpts'],
    ...['-itsoffset', (input.offsetMs / 1000).toFixed(3), '-i', lists[i] as string],
  ]);
  const meta = String(plan.inputs.length);
  return [
    ...['-hide_banner', '-nostdin', '-y', '-loglevel', 'error'],
    ...inputs,
    ...['-f', 'ffmetadata', '-i', chapters],
    ...['-filter_complex_script', graph, '-map', '[vout]', '-map', '[aout]'],
    ...['-map_metadata', meta, '-map_chapters', plan.chapters.length ? meta : '-1'],
    ...VIDEO_CODEC,
    ...['-g', String(Math.round(m.fps * 4)), '-r', String(m.fps)],
    ...AUDIO_CODEC,
    ...['-t', (m.durationMs / 1000).toFixed(3), '-movflags', '+faststart'],
  ];
}

export async function composeRecording(options: ComposeOptions): Promise<ComposeResult> {
  const { signal } = options;
  const parsed = parseManifest(options.input);
  const { manifest, skipped } = await readableSegments(parsed);
  const plan = planComposition(manifest);
  const font = loadLabelFont();
  const dir = await mkdtemp(path.join(options.tempDir ?? tmpdir(), 'dojo-compose-'));
  try {
    signal?.throwIfAborted();
    const files = await writeCompositionFiles(dir, {
      lists: plan.inputs.map((input) => concatList(input.entries)),
      chapters: chaptersMetadata(plan.chapters),
      labels: plan.tiles.map(({ name, tile }) => font.fit(name, labelSizes(tile.h).label, tile.w * 0.7)),
      names: plan.tiles.map(({ name, tile }) => font.fit(name, labelSizes(tile.h).absentName, tile.w * 0.85)),
      pilotLabel: 'Pilot',
    });
    const graphFile = path.join(dir, 'graph.txt');
    await writeFile(graphFile, filterGraph(manifest, plan, { font: font.file, ...files }), 'utf8');
    await runFfmpeg({
      ffmpegPath: options.ffmpegPath ?? ffmpeg.path,
      args: [...ffmpegArgs(manifest, plan, files.lists, files.chapters, graphFile), options.output],
      durationMs: manifest.durationMs,
      onProgress: options.onProgress,
      signal,
    });
  } catch (error) {
    await rm(options.output, { force: true });
    throw error;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  options.onProgress?.(1);
  const { durationMs, width, height } = manifest;
  return { durationMs, width, height, chapters: plan.chapters.length, skipped };
}
