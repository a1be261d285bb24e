/**
 * The composition as data, before any ffmpeg syntax: which ffmpeg inputs to open (one concat list per
 * participant, kind and layout of the files, so that ffmpeg decodes each segment once and never opens
 * hundreds of files at a time), when each tile shows video, when each tile is the pilot's, and the chapters.
 */
import { gridLayout, type Tile } from './layout.ts';
import type { Manifest, MediaKind, Segment } from './manifest.ts';

export interface Interval {
  readonly startMs: number;
  readonly endMs: number;
}

export interface ConcatEntry {
  readonly file: string;
  /** Where the next file begins, relative to this one's start (the recorder's clock, not the file's). */
  readonly durationMs: number;
}

/** One ffmpeg input: a participant's segments of one kind, laid end to end with their gaps kept. */
export interface StreamInput {
  readonly participant: number;
  readonly kind: MediaKind;
  readonly offsetMs: number;
  readonly entries: readonly ConcatEntry[];
  /** When this input has frames (its segments, merged). */
  readonly covered: readonly Interval[];
}

export interface TilePlan {
  readonly name: string;
  readonly tile: Tile;
  readonly videoOn: readonly Interval[];
  readonly pilotOn: readonly Interval[];
}

export interface Chapter extends Interval {
  readonly title: string;
}

export interface CompositionPlan {
  readonly inputs: readonly StreamInput[];
  readonly tiles: readonly TilePlan[];
  readonly chapters: readonly Chapter[];
}

/** Segments closer than this are one stretch of video: the tile does not blink between two files. */
const JOIN_MS = 300;

export function mergeIntervals(intervals: readonly Interval[], joinMs = JOIN_MS): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.startMs - b.startMs);
  const merged: Interval[] = [];
  for (const i of sorted) {
    const last = merged.at(-1);
    if (last && i.startMs <= last.endMs + joinMs)
      merged[merged.length - 1] = { startMs: last.startMs, endMs: Math.max(last.endMs, i.endMs) };
    else merged.push({ startMs: i.startMs, endMs: i.endMs });
  }
  return merged;
}

/** Segments of one layout, one per start time (the longest wins), as concat entries. */
function concatEntries(segments: readonly Segment[]): ConcatEntry[] {
  const byStart = new Map<number, Segment>();
  for (const s of segments) {
    const known = byStart.get(s.startMs);
    if (!known || s.endMs > known.endMs) byStart.set(s.startMs, s);
  }
  const unique = [...byStart.values()].sort((a, b) => a.startMs - b.startMs);
  return unique.map((s, i) => ({
    file: s.file,
    durationMs: (unique[i + 1]?.startMs ?? s.endMs) - s.startMs,
  }));
}

function inputsOf(participant: number, segments: readonly Segment[]): StreamInput[] {
  const byLayout = new Map<string, Segment[]>();
  for (const s of segments) {
    const key = s.kinds.join('+');
    byLayout.set(key, [...(byLayout.get(key) ?? []), s]);
  }
  const inputs: StreamInput[] = [];
  for (const group of byLayout.values()) {
    const entries = concatEntries(group);
    const offsetMs = Math.min(...group.map((s) => s.startMs));
    const covered = mergeIntervals(group);
    for (const kind of group[0]?.kinds ?? []) inputs.push({ participant, kind, offsetMs, entries, covered });
  }
  return inputs;
}

export function planComposition(m: Manifest): CompositionPlan {
  const tiles = gridLayout(m.participants.length, m.width, m.height);
  const turns = m.pilotTurns.map((t, i) => ({
    ...t,
    startMs: t.atMs,
    endMs: m.pilotTurns[i + 1]?.atMs ?? m.durationMs,
  }));
  const inputs = m.participants.flatMap((p, i) => inputsOf(i, p.segments));
  return {
    inputs,
    tiles: m.participants.map((p, i) => ({
      name: p.name,
      tile: tiles[i] as Tile,
      videoOn: mergeIntervals(p.segments.filter((s) => s.kinds.includes('video'))),
      pilotOn: mergeIntervals(
        turns.filter((t) => t.pilotId === p.participantId),
        0,
      ),
    })),
    chapters: turns.map(({ startMs, endMs, title }) => ({ startMs, endMs, title })),
  };
}
