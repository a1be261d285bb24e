/** What a year-in-review video shows, and how it is rendered. */
export interface YearInReviewData {
  readonly displayName: string; // "Ada Lovelace"
  readonly year: number;
  readonly pocs: {
    readonly total: number;
    readonly byMonth: readonly number[]; // 12 entries
    readonly languages: readonly { readonly language: string; readonly count: number }[]; // desc, ≤ 5 shown
    readonly tags: readonly { readonly tag: string; readonly count: number }[]; // desc, ≤ 8 shown
    readonly favorites: readonly { readonly name: string; readonly language: string }[]; // ≤ 5
  };
  readonly dojos: { readonly attended: number; readonly minutes: number };
}

export interface RenderOptions {
  readonly width?: number; // default 1080
  readonly height?: number; // default 1080
  readonly fps?: number; // default 30
  /** Called with increasing fractions 0..1 as frames are encoded. */
  readonly onProgress?: (fraction: number) => void;
  /** Abort: ffmpeg is killed and the render rejects. */
  readonly signal?: AbortSignal;
}

export interface RenderResult {
  readonly durationSec: number;
  readonly frames: number;
  readonly width: number;
  readonly height: number;
  /** PNG. */
  readonly poster: Buffer;
}

/** A sample year (for the benchmark, the look script and tests); `total` spreads over the months. */
export function sampleYear(total = 80, overrides: Partial<YearInReviewData> = {}): YearInReviewData {
  const shape = [3, 5, 8, 6, 9, 12, 7, 4, 10, 11, 6, 9];
  const sum = shape.reduce((a, b) => a + b, 0);
  const byMonth = shape.map((s) => Math.floor((s * total) / sum));
  byMonth[5] = (byMonth[5] ?? 0) + total - byMonth.reduce((a, b) => a + b, 0);
  const some = total > 0;
  return {
    displayName: 'Ada Lovelace',
    year: 2024,
    pocs: {
      total,
      byMonth,
      languages: some
        ? [
            { language: 'TypeScript', count: Math.ceil(total * 0.4) },
            { language: 'Rust', count: Math.ceil(total * 0.25) },
            { language: 'Python', count: Math.ceil(total * 0.15) },
            { language: 'Go', count: Math.ceil(total * 0.1) },
            { language: 'Elixir', count: Math.ceil(total * 0.05) },
          ]
        : [],
      tags: some
        ? ['webgl', 'realtime', 'ml', 'cli', 'crdt', 'wasm', 'audio', 'infra'].map((tag, i) => ({
            tag,
            count: Math.max(1, Math.round(total / (i + 2))),
          }))
        : [],
      favorites: some
        ? [
            { name: 'Collaborative whiteboard', language: 'TypeScript' },
            { name: 'Tiny ray tracer', language: 'Rust' },
            { name: 'Voice notes to tasks', language: 'Python' },
            { name: 'Edge cache proxy', language: 'Go' },
          ]
        : [],
    },
    dojos: { attended: some ? 14 : 0, minutes: some ? 1260 : 0 },
    ...overrides,
  };
}
