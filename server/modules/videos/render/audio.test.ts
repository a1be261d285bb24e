import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { playedThrough, SAMPLE_RATE, soundtrack } from './audio.ts';

const test = suite('soundtrack: the loop copied is the progression played through');

/** The largest difference between two s16le tracks, in steps of the 16-bit scale. */
function maxDifference(a: Buffer, b: Buffer): number {
  let max = 0;
  for (let i = 0; i < a.length; i += 2) max = Math.max(max, Math.abs(a.readInt16LE(i) - b.readInt16LE(i)));
  return max;
}

for (const seconds of [28, 20.5, 7, 33.37]) {
  test(`${seconds} s: the same length and samples as every bar synthesized`, () => {
    const looped = soundtrack(seconds);
    const through = playedThrough(seconds);
    assert.is(looped.length, Math.round(seconds * SAMPLE_RATE) * 4);
    assert.is(looped.length, through.length);
    // Float32 sums in another order may round a sample the other way: one step of 32,000 at most.
    assert.ok(maxDifference(looped, through) <= 1, `differs by ${maxDifference(looped, through)}`);
  });
}

test('it is music: loud in the middle, silent at both ends', () => {
  const track = soundtrack(20);
  const at = (s: number) => Math.abs(track.readInt16LE(Math.round(s * SAMPLE_RATE) * 4));
  assert.is(at(0), 0);
  let peak = 0;
  for (let i = 8 * SAMPLE_RATE; i < 12 * SAMPLE_RATE; i++)
    peak = Math.max(peak, Math.abs(track.readInt16LE(i * 4)));
  assert.ok(peak > 4000, `peak ${peak}`);
  assert.ok(at(20 - 1 / SAMPLE_RATE) < 50);
});

test.run();
