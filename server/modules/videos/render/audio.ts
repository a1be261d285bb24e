/**
 * The soundtrack, synthesized (no audio assets): a I–V–vi–IV progression in C at 120 bpm, a soft pad of the
 * chord, a plucked arpeggio in eighth notes panned left and right, and a bass note on each beat, faded in and
 * out. 44.1 kHz stereo s16le, exactly `seconds` long.
 */
export const SAMPLE_RATE = 44100;

const BEAT = 0.5; // s, 120 bpm
const BAR = BEAT * 4;
const CHORDS: readonly (readonly number[])[] = [
  [60, 64, 67], // C
  [55, 59, 62], // G
  [57, 60, 64], // Am
  [53, 57, 60], // F
];

const hz = (midi: number): number => 440 * 2 ** ((midi - 69) / 12);

/**
 * The progression repeats every four bars, and so does its sound from the second time round on (every note
 * starts its oscillator afresh, on a whole sample): one turn is synthesized as first played (nothing rings into
 * it) and one as a loop (the last bar's tails wrapped round to its start); the rest of the track is copies of
 * the loop. The same samples as `playedThrough`, in a third of the time.
 */
export function soundtrack(seconds: number): Buffer {
  const n = Math.round(seconds * SAMPLE_RATE);
  const period = Math.round(CHORDS.length * BAR * SAMPLE_RATE);
  const track = new Track(n);
  const first = progression(Math.min(n, period), CHORDS.length, false);
  for (let i = 0; i < Math.min(n, period); i++) track.put(i, first, i);
  if (n <= period) return track.out;
  const loop = progression(period, CHORDS.length, true);
  const turn = Math.min(n, 2 * period);
  for (let i = period; i < turn; i++) track.put(i, loop, i - period);
  for (let at = turn; at < n; at += period)
    track.out.copy(track.out, at * 4, period * 4, (period + Math.min(period, n - at)) * 4);
  // The copies hold the second turn's full volume: the fade-out is put back.
  for (let i = Math.max(turn, n - track.fade); i < n; i++) track.put(i, loop, (i - period) % period);
  return track.out;
}

/** The soundtrack with every bar synthesized, one after another: what `soundtrack` is held to. */
export function playedThrough(seconds: number): Buffer {
  const n = Math.round(seconds * SAMPLE_RATE);
  const track = new Track(n);
  const all = progression(n, Math.ceil(n / (BAR * SAMPLE_RATE)), false);
  for (let i = 0; i < n; i++) track.put(i, all, i);
  return track.out;
}

type Channels = readonly [Float32Array, Float32Array];

/** s16le stereo samples, faded in and out over 1.2 s. */
class Track {
  readonly out: Buffer;
  readonly fade = Math.ceil(SAMPLE_RATE * 1.2);
  private readonly n: number;

  constructor(n: number) {
    this.n = n;
    this.out = Buffer.alloc(n * 4);
  }

  /** Sample `i` of the track: sample `k` of `channels`, faded. */
  put(i: number, [left, right]: Channels, k: number): void {
    const g = Math.min(1, i / this.fade, (this.n - 1 - i) / this.fade);
    this.out.writeInt16LE(pcm((left[k] as number) * g), i * 4);
    this.out.writeInt16LE(pcm((right[k] as number) * g), i * 4 + 2);
  }
}

/** `bars` bars of the progression; `wrap`: what rings on past the end is added at the start, as a loop plays. */
function progression(samples: number, bars: number, wrap: boolean): Channels {
  const left = new Float32Array(samples);
  const right = new Float32Array(samples);
  const add = (start: number, length: number, freq: number, gain: number, pan: number, kind: Kind) =>
    tone(left, right, wrap, start, length, freq, gain, pan, kind);
  for (let b = 0; b < bars; b++) {
    const chord = CHORDS[b % CHORDS.length] as readonly number[];
    const start = b * BAR;
    for (const note of chord) add(start, BAR, hz(note), 0.05, 0.5, 'pad');
    for (let beat = 0; beat < 4; beat++)
      add(start + beat * BEAT, BEAT, hz((chord[0] as number) - 24), 0.16, 0.5, 'pluck');
    const arp = [0, 1, 2, 1, 0, 1, 2, 1].map((i) => (chord[i] as number) + 12);
    arp.forEach((note, k) => {
      add(start + (k * BEAT) / 2, BEAT * 1.5, hz(note), 0.09, k % 2 ? 0.8 : 0.2, 'pluck');
    });
  }
  return [left, right];
}

type Kind = 'pad' | 'pluck';

const pcm = (x: number): number => Math.round(Math.max(-1, Math.min(1, Math.tanh(x))) * 32000);

function tone(
  left: Float32Array,
  right: Float32Array,
  wrap: boolean,
  start: number,
  length: number,
  freq: number,
  gain: number,
  pan: number,
  kind: Kind,
): void {
  const from = Math.round(start * SAMPLE_RATE);
  const len = Math.round((start + length) * SAMPLE_RATE) - from;
  const end = wrap ? len : Math.min(len, left.length - from);
  const w = (2 * Math.PI * freq) / SAMPLE_RATE;
  const gl = gain * Math.cos((pan * Math.PI) / 2);
  const gr = gain * Math.sin((pan * Math.PI) / 2);
  // sin(w·i) by rotating a unit vector one step a sample (the harmonics follow from it), and the pluck's
  // exponential decay by a constant factor: no Math.sin or Math.exp per sample.
  const cosW = Math.cos(w);
  const sinW = Math.sin(w);
  const decay = Math.exp(-6 / SAMPLE_RATE);
  let sin = 0;
  let cos = 1;
  let fall = 1;
  for (let i = 0; i < end; i++) {
    const s = i / SAMPLE_RATE;
    let v: number;
    if (kind === 'pluck') {
      v = (sin + 0.6 * sin * cos) * Math.min(1, s / 0.005) * fall; // sin + 0.3·sin(2wi)
      fall *= decay;
    } else {
      const env = Math.min(1, s / 0.3, (len - i) / SAMPLE_RATE / 0.3);
      v = (sin + 0.15 * (3 * sin - 4 * sin * sin * sin)) * env; // sin + 0.15·sin(3wi)
    }
    const k = from + i < left.length ? from + i : from + i - left.length;
    left[k] = (left[k] as number) + v * gl;
    right[k] = (right[k] as number) + v * gr;
    const next = sin * cosW + cos * sinW;
    cos = cos * cosW - sin * sinW;
    sin = next;
  }
}
