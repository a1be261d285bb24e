/**
 * A recording's replay timeline (GET /v1/dojos/{dojoId}/replay): code edits, chat and rotations on the
 * recording's clock, and the questions the recording view asks of it at the video's current time — the
 * code as of then, the chat so far, who was piloting. Also the recording's own fields from GET
 * /v1/dojos/{dojoId}, read defensively (the server is the judge of their shape; a missing field is empty).
 */

export interface Chapter {
  /** Seconds from the start of the recording. */
  readonly at: number;
  readonly title: string;
  readonly pilotId: string;
}

export interface RecordingInfo {
  readonly recordingId: string;
  readonly status: string;
  readonly url: string | undefined;
  readonly durationSec: number | undefined;
  readonly chapters: readonly Chapter[];
}

export type ReplayEvent =
  | { readonly at: number; readonly type: 'code'; readonly text: string }
  | { readonly at: number; readonly type: 'chat'; readonly userId: string; readonly text: string }
  | { readonly at: number; readonly type: 'rotate'; readonly pilotId: string; readonly copilotId: string };

type Loose = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export function parseRecordings(dojo: unknown): RecordingInfo[] {
  const list = (dojo as Loose | undefined)?.recordings;
  if (!Array.isArray(list)) return [];
  return list.map((r: Loose) => ({
    recordingId: str(r.recordingId),
    status: str(r.status),
    url: str(r.url) || undefined,
    durationSec: num(r.durationSec),
    chapters: (Array.isArray(r.chapters) ? (r.chapters as Loose[]) : [])
      .map((c) => ({ at: num(c.at) ?? 0, title: str(c.title), pilotId: str(c.pilotId) }))
      .sort((a, b) => a.at - b.at),
  }));
}

export function parseReplay(body: unknown): { recordingId: string; events: ReplayEvent[] } {
  const b = (body ?? {}) as Loose;
  const events: ReplayEvent[] = [];
  for (const e of Array.isArray(b.events) ? (b.events as Loose[]) : []) {
    const at = num(e.at);
    if (at === undefined) continue;
    if (e.type === 'code') events.push({ at, type: 'code', text: str(e.text) });
    else if (e.type === 'chat') events.push({ at, type: 'chat', userId: str(e.userId), text: str(e.text) });
    else if (e.type === 'rotate')
      events.push({ at, type: 'rotate', pilotId: str(e.pilotId), copilotId: str(e.copilotId) });
  }
  // Stable: events at the same second keep the server's order.
  events.sort((x, y) => x.at - y.at);
  return { recordingId: str(b.recordingId), events };
}

/** The timeline at a point of the video. */
export class Timeline {
  readonly #code: Extract<ReplayEvent, { type: 'code' }>[];
  readonly #chat: Extract<ReplayEvent, { type: 'chat' }>[];
  readonly #rotations: Extract<ReplayEvent, { type: 'rotate' }>[];

  constructor(events: readonly ReplayEvent[]) {
    this.#code = events.filter((e) => e.type === 'code');
    this.#chat = events.filter((e) => e.type === 'chat');
    this.#rotations = events.filter((e) => e.type === 'rotate');
  }

  /** The buffer as of `t` seconds: the last edit at or before it ('' before the first). */
  codeAt(t: number): string {
    return lastAtOrBefore(this.#code, t)?.text ?? '';
  }

  /** How many chat messages had been sent by `t` (the view shows that many, in order). */
  chatCountAt(t: number): number {
    return indexAfter(this.#chat, t);
  }

  get chat(): readonly Extract<ReplayEvent, { type: 'chat' }>[] {
    return this.#chat;
  }

  /** Who piloted at `t`; before the first rotation event, its pilot (the turn the recording began in). */
  rotationAt(t: number): { pilotId: string; copilotId: string } | undefined {
    return lastAtOrBefore(this.#rotations, t) ?? this.#rotations[0];
  }

  get empty(): boolean {
    return this.#code.length + this.#chat.length + this.#rotations.length === 0;
  }
}

/** The chapter playing at `t`: the last one starting at or before it. */
export function chapterAt(chapters: readonly Chapter[], t: number): number {
  return indexAfter(chapters, t) - 1;
}

/** The number of (sorted) items with `at <= t`. */
function indexAfter(items: readonly { at: number }[], t: number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((items[mid]?.at ?? 0) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function lastAtOrBefore<T extends { at: number }>(items: readonly T[], t: number): T | undefined {
  return items[indexAfter(items, t) - 1];
}
