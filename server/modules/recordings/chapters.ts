import type { RecordingChapter, ReplayEvent } from '../../capabilities.ts';

export interface PilotTurn {
  readonly atMs: number;
  readonly pilotId: string;
}

/**
 * The pilot turns of a recording from its timeline's rotations: a turn starts whenever the pilot changes
 * to someone (a rotation that keeps the pilot, or leaves nobody piloting, starts none).
 */
export function pilotTurns(events: readonly ReplayEvent[], durationMs: number): PilotTurn[] {
  const turns: PilotTurn[] = [];
  let current = '';
  for (const e of events) {
    if (e.type !== 'rotate') continue;
    const atMs = Math.max(0, Math.round(e.at * 1000));
    if (e.pilotId === current || atMs >= durationMs) {
      current = e.pilotId;
      continue;
    }
    current = e.pilotId;
    if (!current) continue;
    const last = turns[turns.length - 1];
    // Two rotations within the same millisecond: the later one is the turn that was recorded.
    if (last && last.atMs === atMs) turns.pop();
    turns.push({ atMs, pilotId: current });
  }
  return turns;
}

export function chaptersOf(
  turns: readonly PilotTurn[],
  nameOf: (userId: string) => string,
): RecordingChapter[] {
  return turns.map((t, i) => ({
    at: Math.round(t.atMs / 100) / 10,
    title: `Turn ${i + 1}: ${nameOf(t.pilotId)}`,
    pilotId: t.pilotId,
  }));
}
