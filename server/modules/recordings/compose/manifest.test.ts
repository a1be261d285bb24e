import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isAppError } from '../../../lib/errors.ts';
import { parseManifest } from './manifest.ts';

const seg = (startMs: number, endMs: number, kinds: ('audio' | 'video')[] = ['audio', 'video']) => ({
  startMs,
  endMs,
  file: `/x/${startMs}.webm`,
  kinds,
});

test('defaults: 1280×720 at 25 fps, no turns', () => {
  const m = parseManifest({ durationMs: 5000, participants: [] });
  assert.equal([m.width, m.height, m.fps, m.pilotTurns], [1280, 720, 25, []]);
});

test('segments are sorted and clamped to the recording; empty and kind-less ones are dropped', () => {
  const m = parseManifest({
    durationMs: 10_000,
    participants: [
      {
        participantId: 'a',
        name: 'Ada',
        segments: [
          seg(8000, 12_000),
          seg(-500, 2000),
          seg(11_000, 13_000),
          seg(3000, 3000),
          seg(4000, 5000, []),
        ],
      },
    ],
  });
  assert.equal(
    m.participants[0]?.segments.map((s) => [s.startMs, s.endMs]),
    [
      [0, 2000],
      [8000, 10_000],
    ],
  );
});

test('turns are sorted, clamped, past the end dropped, one per instant', () => {
  const m = parseManifest({
    durationMs: 10_000,
    participants: [],
    pilotTurns: [
      { atMs: 5000, pilotId: 'b', title: 'B' },
      { atMs: -10, pilotId: 'a', title: 'A' },
      { atMs: 12_000, pilotId: 'c', title: 'C' },
      { atMs: 5000, pilotId: 'd', title: 'D' },
    ],
  });
  assert.equal(
    m.pilotTurns.map((t) => [t.atMs, t.pilotId]),
    [
      [0, 'a'],
      [5000, 'd'],
    ],
  );
});

test('bad input is an INVALID error naming each field', () => {
  try {
    parseManifest({
      durationMs: -1,
      participants: [{ participantId: '', name: 'x', segments: [{ startMs: 0 }] }],
    });
    assert.unreachable();
  } catch (error) {
    assert.ok(isAppError(error) && error.kind === 'INVALID');
    const paths = error.fields.map((f) => f.path);
    for (const p of ['durationMs', 'participants.0.participantId', 'participants.0.segments.0.endMs'])
      assert.ok(paths.includes(p), `${p} in ${paths.join(', ')}`);
  }
});

test('a participant listed twice is refused', () => {
  const p = { participantId: 'a', name: 'A', segments: [] };
  try {
    parseManifest({ durationMs: 1000, participants: [p, p] });
    assert.unreachable();
  } catch (error) {
    assert.ok(isAppError(error));
    assert.equal(
      error.fields.map((f) => f.path),
      ['participants.1.participantId'],
    );
  }
});

test.run();
