import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ReplayEvent } from '../../capabilities.ts';
import { chaptersOf, pilotTurns } from './chapters.ts';

const rotate = (at: number, pilotId: string): ReplayEvent => ({ at, type: 'rotate', pilotId, copilotId: '' });

test('a turn per change of pilot, none for a rotation that keeps the pilot or leaves nobody', () => {
  const events: ReplayEvent[] = [
    rotate(0, 'a'),
    { at: 1, type: 'code', text: 'x' },
    rotate(10, 'a'),
    rotate(20, 'b'),
    rotate(30, ''),
    rotate(40, 'a'),
    rotate(99, 'c'),
  ];
  assert.equal(pilotTurns(events, 60_000), [
    { atMs: 0, pilotId: 'a' },
    { atMs: 20_000, pilotId: 'b' },
    { atMs: 40_000, pilotId: 'a' },
  ]);
});

test('chapters are numbered and named after the pilot', () => {
  const chapters = chaptersOf(
    [
      { atMs: 0, pilotId: 'a' },
      { atMs: 12_340, pilotId: 'b' },
    ],
    (id) => ({ a: 'Ada', b: 'Bob' })[id] ?? id,
  );
  assert.equal(chapters, [
    { at: 0, title: 'Turn 1: Ada', pilotId: 'a' },
    { at: 12.3, title: 'Turn 2: Bob', pilotId: 'b' },
  ]);
});

test.run();
