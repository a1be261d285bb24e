import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chaptersMetadata, concatList } from './files.ts';
import { during, graphValue } from './graph.ts';
import { parseManifest } from './manifest.ts';
import { mergeIntervals, planComposition } from './plan.ts';

const seg = (startMs: number, endMs: number, kinds: ('audio' | 'video')[], file = `/s/${startMs}.webm`) => ({
  startMs,
  endMs,
  file,
  kinds,
});

const manifest = parseManifest({
  durationMs: 60_000,
  participants: [
    {
      participantId: 'a',
      name: 'Ada',
      segments: [seg(0, 10_000, ['audio', 'video']), seg(10_000, 20_000, ['audio', 'video'])],
    },
    // Audio first, then the camera comes on: two layouts of file, so two concat lists.
    {
      participantId: 'b',
      name: 'Bob',
      segments: [seg(5000, 15_000, ['audio']), seg(15_000, 25_000, ['audio', 'video'])],
    },
    // A gap of 20 s between two stretches.
    { participantId: 'c', name: 'Cy', segments: [seg(0, 10_000, ['video']), seg(30_000, 40_000, ['video'])] },
  ],
  pilotTurns: [
    { atMs: 0, pilotId: 'a', title: 'Turn 1' },
    { atMs: 20_000, pilotId: 'c', title: 'Turn 2' },
    { atMs: 40_000, pilotId: 'a', title: 'Turn 3' },
  ],
});
const plan = planComposition(manifest);

test('one input per participant, kind and layout of file, placed at its first segment', () => {
  assert.equal(
    plan.inputs.map((i) => `${i.participant}:${i.kind}@${i.offsetMs}x${i.entries.length}`),
    ['0:audio@0x2', '0:video@0x2', '1:audio@5000x1', '1:audio@15000x1', '1:video@15000x1', '2:video@0x2'],
  );
});

test('a gap stays a gap: the entry before it lasts until the next segment begins', () => {
  const c = plan.inputs.find((i) => i.participant === 2);
  assert.equal(
    c?.entries.map((e) => e.durationMs),
    [30_000, 10_000],
  );
  assert.equal(plan.tiles[2]?.videoOn, [
    { startMs: 0, endMs: 10_000 },
    { startMs: 30_000, endMs: 40_000 },
  ]);
});

test('each pilot turn lasts until the next; a participant piloting twice has both', () => {
  assert.equal(plan.tiles[0]?.pilotOn, [
    { startMs: 0, endMs: 20_000 },
    { startMs: 40_000, endMs: 60_000 },
  ]);
  assert.equal(plan.tiles[1]?.pilotOn, []);
  assert.equal(
    plan.chapters.map((c) => [c.startMs, c.endMs, c.title]),
    [
      [0, 20_000, 'Turn 1'],
      [20_000, 40_000, 'Turn 2'],
      [40_000, 60_000, 'Turn 3'],
    ],
  );
});

test('segments a few hundred ms apart are one stretch of video; longer gaps are not', () => {
  const merged = mergeIntervals([
    { startMs: 10_100, endMs: 20_000 },
    { startMs: 0, endMs: 10_000 },
    { startMs: 25_000, endMs: 30_000 },
  ]);
  assert.equal(merged, [
    { startMs: 0, endMs: 20_000 },
    { startMs: 25_000, endMs: 30_000 },
  ]);
});

test('concat list: quoted absolute paths and durations in seconds', () => {
  const text = concatList([
    { file: "/tmp/it's.webm", durationMs: 10_000 },
    { file: '/tmp/b.webm', durationMs: 1234 },
  ]);
  assert.is(
    text,
    "ffconcat version 1.0\nfile '/tmp/it'\\''s.webm'\nduration 10.000\nfile '/tmp/b.webm'\nduration 1.234\n",
  );
});

test('chapters metadata: ms timebase, special characters escaped', () => {
  const text = chaptersMetadata([{ startMs: 0, endMs: 1500, title: 'Turn 1: a=b; #1' }]);
  assert.is(
    text,
    ';FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=1500\ntitle=Turn 1: a\\=b\\; \\#1\n',
  );
});

test('graph values: option-level escapes inside graph-level quotes', () => {
  assert.is(graphValue('/a/b.ttf'), "'/a/b.ttf'");
  assert.is(graphValue("C:\\it's"), "'C\\:\\\\it\\'\\''s'");
  assert.is(during([]), '0');
  assert.is(during([{ startMs: 1500, endMs: 2000 }]), 'between(t,1.500,2.000)');
});

test.run();
