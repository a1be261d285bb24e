/**
 * The ffmpeg filter graph of a composition (see README.md for it in words). Pure string building: every
 * time and place comes from the plan, every file name from the caller, each escaped for the graph.
 */
import type { Manifest } from './manifest.ts';
import type { CompositionPlan, Interval } from './plan.ts';

export const COLORS = {
  canvas: '0x111318',
  tile: '0x23262e',
  pilot: '0xF5B700',
  label: 'white',
  labelBox: 'black@0.55',
  absentName: '0xC9CED8',
} as const;

export const SAMPLE_RATE = 48_000;

export interface GraphFiles {
  readonly font: string;
  /** One text file per tile with its label (drawtext reads it: no escaping of names in the graph). */
  readonly labels: readonly string[];
  /** One per tile: the name as shown large in the tile while there is no video. */
  readonly names: readonly string[];
  readonly pilotLabel: string;
}

export interface LabelSizes {
  readonly label: number;
  readonly absentName: number;
}

/**
 * A value as one filter option: backslash-escaped for the option parser, then quoted for the graph parser
 * (inside its quotes nothing is special but the quote itself, which closes, is escaped and reopens).
 */
export function graphValue(value: string): string {
  const option = value.replace(/[\\':]/g, '\\$&');
  return `'${option.replaceAll("'", "'\\''")}'`;
}

const sec = (ms: number) => (ms / 1000).toFixed(3);

/** An expression true while t is inside one of the intervals. */
export function during(intervals: readonly Interval[]): string {
  return intervals.map((i) => `between(t,${sec(i.startMs)},${sec(i.endMs)})`).join('+') || '0';
}

/** The width of the pilot's outline (even, about 1/30 of the tile's height). */
export const pilotBorder = (tileHeight: number): number => Math.max(4, Math.round(tileHeight / 60) * 2);

export function labelSizes(tileHeight: number): LabelSizes {
  const label = Math.max(12, Math.min(28, Math.round(tileHeight / 17)));
  return { label, absentName: Math.round(label * 1.6) };
}

function background(m: Manifest, plan: CompositionPlan): string {
  const frames = Math.round((m.durationMs / 1000) * m.fps);
  const cards = plan.tiles.map(
    ({ tile: t }) => `drawbox=x=${t.x}:y=${t.y}:w=${t.w}:h=${t.h}:color=${COLORS.tile}:t=fill`,
  );
  // Drawn once, then repeated: the per-frame cost of the static art is one copy of the frame.
  return [
    `color=c=${COLORS.canvas}:s=${m.width}x${m.height}:r=${m.fps}:d=${(1 / m.fps).toFixed(6)}`,
    'format=yuv420p',
    ...cards,
    `loop=loop=${frames - 1}:size=1:start=0`,
    `setpts=N/(${m.fps}*TB)`,
  ].join(',');
}

function videoChains(m: Manifest, plan: CompositionPlan, files: GraphFiles, firstInput: number): string[] {
  const chains: string[] = [];
  let base = 'bg';
  plan.inputs.forEach((input, i) => {
    if (input.kind !== 'video') return;
    const { tile: t } = plan.tiles[input.participant] as CompositionPlan['tiles'][number];
    const fit = `min(${t.w}/iw,${t.h}/ih)`;
    chains.push(
      `[${firstInput + i}:v]scale=w=${graphValue(`2*trunc(${fit}*iw/2)`)}:h=${graphValue(`2*trunc(${fit}*ih/2)`)}` +
        `:flags=fast_bilinear,setsar=1,fps=${m.fps}[v${i}]`,
    );
    const x = graphValue(`${t.x}+2*trunc((${t.w}-overlay_w)/4)`);
    const y = graphValue(`${t.y}+2*trunc((${t.h}-overlay_h)/4)`);
    chains.push(
      `[${base}][v${i}]overlay=x=${x}:y=${y}:eval=frame:eof_action=pass:enable=${graphValue(during(input.covered))}[o${i}]`,
    );
    base = `o${i}`;
  });
  return [`${background(m, plan)}[bg]`, ...chains, `[${base}]${decorations(m, plan, files)}[vout]`];
}

function decorations(m: Manifest, plan: CompositionPlan, files: GraphFiles): string {
  const filters: string[] = [];
  const font = `fontfile=${graphValue(files.font)}:expansion=none`;
  plan.tiles.forEach(({ tile: t, videoOn, pilotOn }, i) => {
    const sizes = labelSizes(t.h);
    const border = pilotBorder(t.h);
    // Inset by the pilot's border, so that the label does not move when the border comes and goes.
    const pad = Math.round(sizes.label / 2) + border;
    const boxBorder = Math.round(sizes.label / 4);
    const text = `textfile=${graphValue(files.labels[i] as string)}`;
    const name = `textfile=${graphValue(files.names[i] as string)}`;
    const absent = `not(${during(videoOn)})`;
    if (videoOn.length === 0 || videoOn[0]?.startMs !== 0 || videoOn[0]?.endMs !== m.durationMs)
      filters.push(
        `drawtext=${font}:${name}:fontsize=${sizes.absentName}:fontcolor=${COLORS.absentName}` +
          `:x=${t.x}+(${t.w}-text_w)/2:y=${t.y}+(${t.h}-text_h)/2` +
          (videoOn.length ? `:enable=${graphValue(absent)}` : ''),
      );
    filters.push(
      `drawtext=${font}:${text}:fontsize=${sizes.label}:fontcolor=${COLORS.label}:box=1` +
        `:boxcolor=${COLORS.labelBox}:boxborderw=${boxBorder}:x=${t.x + pad}:y=${t.y + t.h - pad - sizes.label}`,
    );
    if (!pilotOn.length) return;
    const on = `:enable=${graphValue(during(pilotOn))}`;
    filters.push(`drawbox=x=${t.x}:y=${t.y}:w=${t.w}:h=${t.h}:color=${COLORS.pilot}:t=${border}${on}`);
    filters.push(
      `drawtext=${font}:textfile=${graphValue(files.pilotLabel)}:fontsize=${sizes.label}:fontcolor=black:box=1` +
        `:boxcolor=${COLORS.pilot}:boxborderw=${boxBorder}:x=${t.x + pad}:y=${t.y + pad}${on}`,
    );
  });
  return filters.join(',') || 'null';
}

function audioChains(m: Manifest, plan: CompositionPlan, firstInput: number): string[] {
  const samples = Math.round((m.durationMs / 1000) * SAMPLE_RATE);
  const trim = `atrim=end_sample=${samples}`;
  const chains: string[] = [];
  const mixed: string[] = [];
  plan.inputs.forEach((input, i) => {
    if (input.kind !== 'audio') return;
    // async=1 + first_pts=0: silence before the first sample and in every gap, overlaps trimmed.
    chains.push(
      `[${firstInput + i}:a]aresample=${SAMPLE_RATE}:async=1:first_pts=0,` +
        `aformat=sample_fmts=fltp:channel_layouts=stereo,apad=whole_len=${samples},${trim}[a${i}]`,
    );
    mixed.push(`[a${i}]`);
  });
  if (mixed.length === 0) return [`anullsrc=r=${SAMPLE_RATE}:cl=stereo,${trim}[aout]`];
  if (mixed.length === 1) return [...chains, `${mixed[0]}anull[aout]`];
  // This ffmpeg's amix has no normalize=0 and divides by its input count: every input lasts the whole
  // recording, so multiplying back by that count is exact, and the mix is the plain sum of the voices.
  return [
    ...chains,
    `${mixed.join('')}amix=inputs=${mixed.length}:duration=longest:dropout_transition=0,volume=${mixed.length},${trim}[aout]`,
  ];
}

/** The whole graph; its outputs are [vout] and [aout]. Inputs are numbered from `firstInput` in plan order. */
export function filterGraph(m: Manifest, plan: CompositionPlan, files: GraphFiles, firstInput = 0): string {
  return [...videoChains(m, plan, files, firstInput), ...audioChains(m, plan, firstInput)].join(';\n');
}
