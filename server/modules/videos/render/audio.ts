/**
 * The soundtrack, synthesized (no audio assets): a I–V–vi–IV progression in C at 120 bpm, a soft pad of the
 * chord, a plucked arpeggio in eighth notes panned left and right, and a bass note on each beat, faded in and
 * out. 44.1 kHz stereo s16le, exactly `seconds` long.
 */
export const SAMPLE_RATE = 44100;

const BEAT = 0.5; // s, 120 bpm
const CHORDS: readonly (readonly number[])[] = [
  [60, 64, 67], // C
  [55, 59, 62], // G
  [57, 60, 64], // Am
  [53, 57, 60], // F
];

const hz = (midi: number): number => 440 * 2 ** ((midi - 69) / 12);

export function soundtrack(seconds: number): Buffer {
  const n = Math.round(seconds * SAMPLE_RATE);
  const left = new Float32Array(n);
  const right = new Float32Array(n);
  const bar = BEAT * 4;
  const bars = Math.ceil(seconds / bar);
  for (let b = 0; b < bars; b++) {
    const chord = CHORDS[b % CHORDS.length] as readonly number[];
    const start = b * bar;
    for (const note of chord) tone(left, right, start, bar, hz(note), 0.05, 0.5, 'pad');
    for (let beat = 0; beat < 4; beat++) {
      const root = chord[0] as number;
      tone(left, right, start + beat * BEAT, BEAT, hz(root - 24), 0.16, 0.5, 'pluck');
    }
    const arp = [0, 1, 2, 1, 0, 1, 2, 1].map((i) => (chord[i] as number) + 12);
    arp.forEach((note, k) => {
      tone(left, right, start + (k * BEAT) / 2, BEAT * 1.5, hz(note), 0.09, k % 2 ? 0.8 : 0.2, 'pluck');
    });
  }
  const out = Buffer.alloc(n * 4);
  const fade = SAMPLE_RATE * 1.2;
  for (let i = 0; i < n; i++) {
    const g = Math.min(1, i / fade, (n - 1 - i) / fade);
    out.writeInt16LE(pcm((left[i] as number) * g), i * 4);
    out.writeInt16LE(pcm((right[i] as number) * g), i * 4 + 2);
  }
  return out;
}

const pcm = (x: number): number => Math.round(Math.max(-1, Math.min(1, Math.tanh(x))) * 32000);

function tone(
  left: Float32Array,
  right: Float32Array,
  start: number,
  length: number,
  freq: number,
  gain: number,
  pan: number,
  kind: 'pad' | 'pluck',
): void {
  const from = Math.round(start * SAMPLE_RATE);
  const to = Math.min(left.length, Math.round((start + length) * SAMPLE_RATE));
  const len = to - from;
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
  for (let i = 0; i < len; i++) {
    const s = i / SAMPLE_RATE;
    let v: number;
    if (kind === 'pluck') {
      v = (sin + 0.6 * sin * cos) * Math.min(1, s / 0.005) * fall; // sin + 0.3·sin(2wi)
      fall *= decay;
    } else {
      const env = Math.min(1, s / 0.3, (len - i) / SAMPLE_RATE / 0.3);
      v = (sin + 0.15 * (3 * sin - 4 * sin * sin * sin)) * env; // sin + 0.15·sin(3wi)
    }
    left[from + i] = (left[from + i] as number) + v * gl;
    right[from + i] = (right[from + i] as number) + v * gr;
    const next = sin * cosW + cos * sinW;
    cos = cos * cosW - sin * sinW;
    sin = next;
  }
}
