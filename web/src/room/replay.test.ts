import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { chapterAt, parseRecordings, parseReplay, Timeline } from './replay.ts';

const test = suite('web room: the replay timeline');

const replay = parseReplay({
  recordingId: 'r1',
  events: [
    { at: 4, type: 'code', text: 'b' },
    { at: 0, type: 'code', text: '' },
    { at: 0, type: 'rotate', pilotId: 'p1', copilotId: 'c1' },
    { at: 2, type: 'code', text: 'a' },
    { at: 3, type: 'chat', userId: 'u1', text: 'hi' },
    { at: 5, type: 'rotate', pilotId: 'c1', copilotId: 'p1' },
    { at: 'soon', type: 'code', text: 'dropped: no time' },
    { at: 6, type: 'unknown' },
  ],
});

test('events are kept in time order; malformed ones are left out', () => {
  assert.is(replay.recordingId, 'r1');
  assert.equal(
    replay.events.map((e) => `${e.at}:${e.type}`),
    ['0:code', '0:rotate', '2:code', '3:chat', '4:code', '5:rotate'],
  );
});

test('the code at a time is the last edit at or before it', () => {
  const t = new Timeline(replay.events);
  assert.is(t.codeAt(0), '');
  assert.is(t.codeAt(1.9), '');
  assert.is(t.codeAt(2), 'a');
  assert.is(t.codeAt(3.99), 'a');
  assert.is(t.codeAt(100), 'b');
  assert.is(new Timeline([]).codeAt(5), '');
});

test('chat so far and who pilots at a time', () => {
  const t = new Timeline(replay.events);
  assert.is(t.chatCountAt(2.9), 0);
  assert.is(t.chatCountAt(3), 1);
  assert.is(t.rotationAt(4.9)?.pilotId, 'p1');
  assert.is(
    new Timeline([{ at: 0.2, type: 'rotate', pilotId: 'p1', copilotId: '' }]).rotationAt(0)?.pilotId,
    'p1',
  );
  assert.is(t.rotationAt(5)?.pilotId, 'c1');
});

test('the chapter playing at a time; recordings read defensively', () => {
  const [rec] = parseRecordings({
    recordings: [
      {
        recordingId: 'r1',
        status: 'READY',
        url: 'http://x/r1.mp4',
        durationSec: 12,
        chapters: [
          { at: 6, title: 'Turn 2: Kenji', pilotId: 'c1' },
          { at: 0, title: 'Turn 1: Hana', pilotId: 'p1' },
        ],
      },
    ],
  });
  assert.equal(
    rec?.chapters.map((c) => c.at),
    [0, 6],
  );
  assert.is(chapterAt(rec?.chapters ?? [], 5.9), 0);
  assert.is(chapterAt(rec?.chapters ?? [], 6), 1);
  assert.equal(parseRecordings({ recordings: [{ recordingId: 'r2', status: 'PROCESSING' }] })[0], {
    recordingId: 'r2',
    status: 'PROCESSING',
    url: undefined,
    durationSec: undefined,
    chapters: [],
  });
  assert.equal(parseRecordings({}), []);
});

test.run();
