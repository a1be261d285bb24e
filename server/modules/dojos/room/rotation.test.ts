import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as r from './rotation.ts';

const test = suite('dojo rotation (pure)');
const T0 = 1_000_000;
const people = (...ids: string[]) => ids.reduce((rot, id) => r.join(rot, id, T0), r.emptyRotation(60));

test('first comer pilots, second co-pilots, the rest wait in order; the timer starts with two', () => {
  const one = r.join(r.emptyRotation(60), 'a', T0);
  assert.equal([one.pilotId, one.copilotId, one.queue, one.turnEndsAt], ['a', '', [], 0]);
  const rot = people('a', 'b', 'c', 'd');
  assert.equal([rot.pilotId, rot.copilotId, rot.queue], ['a', 'b', ['c', 'd']]);
  assert.is(rot.turnEndsAt, T0 + 60_000);
  assert.is(r.join(rot, 'c', T0 + 5), rot, 'joining twice changes nothing');
});

test('advance: copilot → pilot, next in line → copilot, pilot → back of the line, fresh turn', () => {
  const next = r.advance(people('a', 'b', 'c', 'd'), T0 + 10);
  assert.equal([next.pilotId, next.copilotId, next.queue], ['b', 'c', ['d', 'a']]);
  assert.is(next.turnEndsAt, T0 + 10 + 60_000);
  const two = r.advance(r.advance(people('a', 'b'), T0 + 1), T0 + 2);
  assert.equal([two.pilotId, two.copilotId, two.turnEndsAt], ['a', 'b', T0 + 2 + 60_000]);
  const alone = r.advance(people('a'), T0);
  assert.equal([alone.pilotId, alone.turnEndsAt], ['a', 0]);
});

test('tick advances only once the turn is over, and once even after sleeping through several turns', () => {
  const rot = people('a', 'b', 'c');
  assert.is(r.tick(rot, T0 + 59_999), rot);
  const due = r.tick(rot, T0 + 60_000);
  assert.is(due.pilotId, 'b');
  const late = r.tick(rot, T0 + 10 * 60_000);
  assert.equal([late.pilotId, late.copilotId, late.turnEndsAt], ['b', 'c', T0 + 11 * 60_000]);
});

test('leaving: a pilot hands over to the copilot (new turn), a copilot to the next in line (same turn)', () => {
  const rot = people('a', 'b', 'c', 'd');
  const noPilot = r.leave(rot, 'a', T0 + 100);
  assert.equal([noPilot.pilotId, noPilot.copilotId, noPilot.queue], ['b', 'c', ['d']]);
  assert.is(noPilot.turnEndsAt, T0 + 100 + 60_000);
  const noCopilot = r.leave(rot, 'b', T0 + 100);
  assert.equal([noCopilot.pilotId, noCopilot.copilotId, noCopilot.queue], ['a', 'c', ['d']]);
  assert.is(noCopilot.turnEndsAt, rot.turnEndsAt);
  const lastTwo = r.leave(r.leave(rot, 'c', T0), 'd', T0);
  assert.equal(r.rotating(lastTwo), ['a', 'b']);
  const alone = r.leave(lastTwo, 'b', T0);
  assert.equal([alone.pilotId, alone.copilotId, alone.turnEndsAt], ['a', '', 0]);
  assert.is(r.leave(rot, 'zed', T0), rot);
});

test('a new turn length restarts the current turn with it', () => {
  const rot = r.setTurnSeconds(people('a', 'b'), 30, T0 + 5);
  assert.equal([rot.turnSeconds, rot.turnEndsAt], [30, T0 + 5 + 30_000]);
  assert.is(r.setTurnSeconds(people('a'), 30, T0).turnEndsAt, 0);
});

test('roles: rotation role wins, the host outside the rotation shows as host, others are audience', () => {
  const rot = people('a', 'b', 'c');
  assert.is(r.roleOf(rot, 'a', 'a'), 'pilot');
  assert.is(r.roleOf(rot, 'b', 'a'), 'copilot');
  assert.is(r.roleOf(rot, 'c', 'a'), 'audience');
  assert.is(r.roleOf(rot, 'h', 'h'), 'host');
});

test.run();
