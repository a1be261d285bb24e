/**
 * What the composer is asked to make: the recording's length, the frame, each participant's raw segments
 * (WebM files from the room's recorder, placed in ms from the recording's start) and the pilot turns.
 * `parseManifest` validates it and normalizes it: segments sorted, clamped to [0, durationMs], empty or
 * kind-less ones dropped, turns sorted and clamped, so that the rest of the composer never re-checks.
 */
import { z } from 'zod';
import { invalid } from '../../../lib/errors.ts';

const kind = z.enum(['audio', 'video']);

const segment = z.object({
  startMs: z.number(),
  endMs: z.number(),
  file: z.string().min(1),
  kinds: z.array(kind),
});

const participant = z.object({
  participantId: z.string().min(1),
  name: z.string(),
  segments: z.array(segment),
});

const pilotTurn = z.object({
  atMs: z.number(),
  pilotId: z.string(),
  title: z.string(),
});

const even = (n: number) => Math.round(n / 2) * 2;

export const manifestSchema = z.object({
  durationMs: z
    .number()
    .min(100)
    .max(24 * 3_600_000),
  width: z.number().int().min(160).max(3840).default(1280).transform(even),
  height: z.number().int().min(90).max(2160).default(720).transform(even),
  fps: z.number().min(1).max(60).default(25),
  participants: z.array(participant).max(64),
  pilotTurns: z.array(pilotTurn).default([]),
});

export type ManifestInput = z.input<typeof manifestSchema>;
export type MediaKind = z.infer<typeof kind>;

export interface Segment {
  readonly startMs: number;
  readonly endMs: number;
  readonly file: string;
  readonly kinds: readonly MediaKind[];
}

export interface Participant {
  readonly participantId: string;
  readonly name: string;
  /** Sorted by start, each inside [0, durationMs] and at least 1 ms long. */
  readonly segments: readonly Segment[];
}

export interface PilotTurn {
  readonly atMs: number;
  readonly pilotId: string;
  readonly title: string;
}

export interface Manifest {
  readonly durationMs: number;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly participants: readonly Participant[];
  /** Sorted, inside [0, durationMs), at most one per instant (the later wins). */
  readonly pilotTurns: readonly PilotTurn[];
}

function clampSegments(segments: readonly Segment[], durationMs: number): Segment[] {
  return segments
    .map((s) => ({
      ...s,
      startMs: Math.round(Math.max(0, s.startMs)),
      endMs: Math.round(Math.min(durationMs, s.endMs)),
      kinds: [...new Set(s.kinds)].sort(),
    }))
    .filter((s) => s.endMs > s.startMs && s.kinds.length > 0)
    .sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
}

function clampTurns(turns: readonly PilotTurn[], durationMs: number): PilotTurn[] {
  const byInstant = new Map<number, PilotTurn>();
  const sorted = turns
    .map((t) => ({ ...t, atMs: Math.round(Math.max(0, t.atMs)) }))
    .filter((t) => t.atMs < durationMs)
    .sort((a, b) => a.atMs - b.atMs);
  for (const t of sorted) byInstant.set(t.atMs, t);
  return [...byInstant.values()];
}

/** The validated, normalized manifest; an AppError INVALID naming each wrong field otherwise. */
export function parseManifest(input: unknown): Manifest {
  const parsed = manifestSchema.safeParse(input);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw invalid('RECORDING.INVALID_MANIFEST', 'The recording manifest is invalid', fields);
  }
  const m = parsed.data;
  const ids = m.participants.map((p) => p.participantId);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate !== undefined) {
    const i = ids.lastIndexOf(duplicate);
    throw invalid('RECORDING.INVALID_MANIFEST', 'The recording manifest is invalid', [
      { path: `participants.${i}.participantId`, message: `${duplicate} appears twice` },
    ]);
  }
  return {
    durationMs: Math.round(m.durationMs),
    width: m.width,
    height: m.height,
    fps: m.fps,
    participants: m.participants.map((p) => ({ ...p, segments: clampSegments(p.segments, m.durationMs) })),
    pilotTurns: clampTurns(m.pilotTurns, m.durationMs),
  };
}
