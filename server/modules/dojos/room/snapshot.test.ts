import { setTimeout as sleep } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { emptyRotation, join } from './rotation.ts';
import { parseSnapshot, SnapshotScheduler, toSnapshot } from './snapshot.ts';

const test = suite('dojo room snapshots');

test('a snapshot survives a JSON round trip; anything else reads as no snapshot', () => {
  const rotation = join(join(emptyRotation(120), 'a', 1000), 'b', 1000);
  const snap = toSnapshot({
    hostId: 'a',
    code: 'let x = 1;',
    language: 'typescript',
    recording: true,
    rotation,
    participants: [
      { userId: 'a', name: 'Ada' },
      { userId: 'b', name: 'Bob' },
    ],
  });
  assert.equal(parseSnapshot(JSON.parse(JSON.stringify(snap))), snap);
  assert.is(snap.rotation.turnEndsAt, 121_000);
  for (const junk of [undefined, null, 'x', {}, { ...snap, v: 2 }, { ...snap, rotation: null }]) {
    assert.is(parseSnapshot(junk), undefined);
  }
});

const snap = (code: string) =>
  toSnapshot({
    hostId: 'h',
    code,
    language: '',
    recording: false,
    rotation: emptyRotation(60),
    participants: [],
  });

test('changed rooms are saved together once per interval, one write at a time', async () => {
  const writes: { at: number; keys: string[] }[] = [];
  let inFlight = 0;
  let overlap = false;
  const scheduler = new SnapshotScheduler({
    intervalMs: 100,
    write: async (items) => {
      inFlight++;
      overlap ||= inFlight > 1;
      await sleep(30);
      writes.push({ at: Date.now(), keys: items.map((i) => i.key) });
      inFlight--;
    },
    onError: () => assert.unreachable('no error'),
  });
  const rooms = Array.from({ length: 20 }, (_, i) => ({ key: `dojo-${i}`, capture: () => snap(`v${i}`) }));
  const started = Date.now();
  for (let round = 0; round < 40; round++) {
    for (const room of rooms) scheduler.changed(room);
    await sleep(10);
  }
  await scheduler.close();
  const elapsed = Date.now() - started;
  assert.not.ok(overlap, 'never two writes at once');
  assert.ok(
    writes.length >= 3 && writes.length <= elapsed / 100 + 2,
    `${writes.length} writes in ${elapsed} ms`,
  );
  for (const w of writes) assert.is(new Set(w.keys).size, w.keys.length, 'a room at most once per write');
  assert.ok(
    writes.some((w) => w.keys.length === 20),
    'rooms changed in the same interval share one write',
  );
});

test('a room flushed on dispose is saved now; rooms with nothing to capture are skipped', async () => {
  const written: string[][] = [];
  const scheduler = new SnapshotScheduler({
    intervalMs: 10_000,
    write: async (items) => void written.push(items.map((i) => i.key)),
    onError: () => assert.unreachable('no error'),
  });
  const kept = { key: 'a', capture: () => snap('a') };
  const gone = { key: 'b', capture: () => undefined };
  scheduler.changed(kept);
  scheduler.changed(gone);
  await scheduler.flush(kept);
  assert.equal(written, [['a']]);
  await scheduler.flush(kept);
  assert.equal(written, [['a']], 'nothing unsaved: no second write');
  await scheduler.close();
  assert.equal(written, [['a']], 'the room that lost its lease captured nothing');
});

test('a failed write is retried with the next one, and reported', async () => {
  let attempts = 0;
  const errors: string[][] = [];
  const scheduler = new SnapshotScheduler({
    intervalMs: 20,
    write: async () => {
      attempts++;
      if (attempts === 1) throw new Error('store down');
    },
    onError: (_e, keys) => errors.push(keys),
  });
  scheduler.changed({ key: 'x', capture: () => snap('x') });
  await sleep(120);
  await scheduler.close();
  assert.equal(errors, [['x']]);
  assert.is(attempts, 2, 'the unsaved change was written again');
});

test.run();
