import { setTimeout as sleep } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Client } from '@colyseus/sdk';
import { DOJO_ROOM, JOIN_ERRORS, ROOM_ERRORS } from '../../protocol/dojo.ts';
import type { LoggedIn } from '../support/accounts.ts';
import { signUpAndLogin } from '../support/accounts.ts';
import {
  api,
  createDojo,
  errorWith,
  join,
  leaveAll,
  refusal,
  startNode,
  team,
  view,
  waitFor,
  type Node,
  type Seat,
} from './helpers.ts';

/** Real server processes on the embedded adapters, real @colyseus/sdk clients. */
const test = suite('dojo room (one node, embedded store)');
let node: Node;
let host: LoggedIn, b: LoggedIn, c: LoggedIn, outsider: LoggedIn, stranger: LoggedIn;
let dojoId = '';
let A: Seat, B: Seat, C: Seat | undefined;

test.before(async () => {
  node = await startNode({ DOJO_TEST_RECONNECT_SECONDS: '2', DOJO_TEST_SNAPSHOT_MS: '100' });
  [host, b, c, outsider] = (await team(node, 3)) as [LoggedIn, LoggedIn, LoggedIn, LoggedIn];
  stranger = await signUpAndLogin(node, { firstName: 'Stranger' });
  dojoId = await createDojo(node.url, host, [b, c]);
});
test.after(async () => {
  await leaveAll(A, B, C);
  await node?.stop();
});

test('only members of the dojo in its tenant get a seat; everyone else is refused at matchmaking', async () => {
  const cases: [string, string | undefined, unknown, string][] = [
    ['no token', undefined, dojoId, JOIN_ERRORS.TOKEN_REQUIRED],
    ['garbage token', 'not.a.jwt', dojoId, JOIN_ERRORS.TOKEN_INVALID],
    ['same tenant, not a member', outsider.token, dojoId, JOIN_ERRORS.NOT_FOUND],
    ['another tenant', stranger.token, dojoId, JOIN_ERRORS.NOT_FOUND],
    ['unknown dojo', host.token, '00000000-0000-4000-8000-000000000000', JOIN_ERRORS.NOT_FOUND],
    ['malformed dojo id', host.token, 'dojo-1', JOIN_ERRORS.INVALID_OPTIONS],
  ];
  for (const [label, token, id, code] of cases) {
    const refused = await refusal(node.url, token, id);
    assert.ok(refused.message.startsWith(`${code}:`), `${label}: ${refused.message}`);
  }
  A = await join(node.url, host.token, dojoId);
  B = await join(node.url, b.token, dojoId);
  C = await join(node.url, c.token, dojoId);
  assert.is(A.room.roomId, B.room.roomId, 'one room per dojo');
  assert.is(A.room.roomId, C.room.roomId);
  const forced = new Client(node.url);
  forced.auth.token = c.token;
  const second = await forced.create(DOJO_ROOM, { dojoId }).then(
    () => 'a second room opened',
    (e: Error) => e.message,
  );
  assert.ok(second.startsWith(`${JOIN_ERRORS.ROOM_BUSY}:`), `create() cannot open a second room: ${second}`);
  // joinById with another dojo's options (one the caller is in) passes onAuth but not onJoin.
  const other = await createDojo(node.url, host, [outsider]);
  for (const who of [outsider, host]) {
    const sneaky = new Client(node.url);
    sneaky.auth.token = who.token;
    const smuggled = await sneaky.joinById(A.room.roomId, { dojoId: other }).then(
      async (r) => (await r.leave(), 'seated'),
      (e: Error) => e.message,
    );
    assert.ok(
      smuggled.startsWith(`${JOIN_ERRORS.NOT_FOUND}:`),
      `joinById into another dojo's room: ${smuggled}`,
    );
  }
  const s = await waitFor(A.room, (s) => Object.keys(s.participants).length === 3, 'three participants');
  assert.ok(
    s.participants[host.userId]?.connected,
    "a refused second connection leaves the host's seat alone",
  );
  assert.equal(Object.keys(s.participants).sort(), [host.userId, b.userId, c.userId].sort());
  assert.equal([s.status, s.hostId, s.pilotId, s.copilotId], ['LIVE', host.userId, host.userId, b.userId]);
  assert.is(s.participants[host.userId]?.name, 'Owner Lovelace');
  assert.equal([s.participants[c.userId]?.role, s.participants[c.userId]?.connected], ['audience', true]);
  assert.is(s.turnSeconds, 300);
  const rest = await api(node.url, 'GET', `/v1/dojos/${dojoId}`, b.token);
  assert.is(rest.body.status, 'LIVE');
});

test('the room opening for the first time tells every member the dojo started', async () => {
  for (const who of [host, b, c]) {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const feed = await api(node.url, 'GET', '/v1/user/notification', who.token);
      const list = feed.body.notifications as { type: string; data: { dojoId?: string } }[];
      if (list.some((n) => n.type === 'dojo.started' && n.data.dojoId === dojoId)) break;
      if (Date.now() > deadline)
        throw new Error(`no dojo.started for ${who.username}: ${JSON.stringify(list)}`);
      await sleep(100);
    }
  }
  const outsiders = await api(node.url, 'GET', '/v1/user/notification', outsider.token);
  const theirs = outsiders.body.notifications as { type: string; data: { dojoId?: string } }[];
  assert.not.ok(theirs.some((n) => n.type === 'dojo.started' && n.data.dojoId === dojoId));
});

test('only the pilot edits the code; the others get NOT_PILOT and the buffer does not change', async () => {
  A.room.send('code', { text: 'function kata() {}', language: 'typescript' });
  await waitFor(
    C!.room,
    (s) => s.code === 'function kata() {}' && s.language === 'typescript',
    'the pilot edit at C',
  );
  B.room.send('code', { text: 'hijack' });
  await errorWith(B, ROOM_ERRORS.NOT_PILOT);
  await sleep(150);
  assert.is(view(A.room).code, 'function kata() {}');
  A.room.send('rotate', {});
  await waitFor(C!.room, (s) => s.pilotId === b.userId && s.copilotId === c.userId, 'rotation by the host');
  B.room.send('code', { text: 'now mine' });
  await waitFor(A.room, (s) => s.code === 'now mine', 'the new pilot edit');
  C!.room.send('rotate', {});
  C!.room.send('turnSeconds', { seconds: 60 });
  await errorWith(C!, ROOM_ERRORS.NOT_HOST);
  A.room.send('turnSeconds', { seconds: 45 });
  const s = await waitFor(B.room, (s) => s.turnSeconds === 45, 'turn length set by the host');
  assert.ok(
    Math.abs(s.turnEndsAt - (Date.now() + 45_000)) < 2000,
    'the current turn restarts with the new length',
  );
});

test('chat is stored and readable through GET /v1/user/messages, oldest first', async () => {
  A.room.send('chat', { text: 'first' });
  await waitFor(B.room, (s) => s.chat.some((m) => m.text === 'first'), 'first message');
  B.room.send('chat', { text: 'second' });
  await waitFor(C!.room, (s) => s.chat.length === 2, 'two messages');
  const all = await api(node.url, 'GET', `/v1/user/messages?roomId=${dojoId}`, c.token);
  assert.is(all.status, 200);
  const messages = all.body.messages as { text: string; userId: string; messageId: string; roomId: string }[];
  assert.equal(
    messages.map((m) => [m.text, m.userId]),
    [
      ['first', host.userId],
      ['second', b.userId],
    ],
  );
  assert.equal(
    messages.map((m) => m.messageId),
    view(A.room).chat.map((m) => m.id),
    'the room chat and the store agree',
  );
  const mine = await api(
    node.url,
    'GET',
    `/v1/user/messages?roomId=${dojoId}&userId=${b.userId}`,
    host.token,
  );
  assert.equal(
    (mine.body.messages as { text: string }[]).map((m) => m.text),
    ['second'],
  );
  assert.is((await api(node.url, 'GET', `/v1/user/messages?roomId=${dojoId}`, outsider.token)).status, 404);
  assert.is((await api(node.url, 'GET', `/v1/user/messages?roomId=${dojoId}`, stranger.token)).status, 404);
});

test('a removed message vanishes from the live room and from reads; only its author or an admin removes it', async () => {
  const [first, second] = view(A.room).chat;
  const denied = await api(node.url, 'POST', '/v1/user/messages', b.token, { messageIds: [first!.id] });
  assert.is(denied.status, 403);
  assert.is(view(A.room).chat.length, 2);
  const own = await api(node.url, 'POST', '/v1/user/messages', b.token, { messageIds: [second!.id] });
  assert.equal([own.status, own.body], [200, { success: true, removed: 1 }]);
  await waitFor(
    C!.room,
    (s) => s.chat.length === 1 && s.chat[0]?.id === first!.id,
    'removal in the live room',
  );
  const again = await api(node.url, 'POST', '/v1/user/messages', b.token, { messageIds: [second!.id] });
  assert.equal(again.body, { success: true, removed: 0 });
  const byOwner = await api(node.url, 'POST', '/v1/user/messages', host.token, { messageIds: [first!.id] });
  assert.is(byOwner.body.removed, 1);
  await waitFor(B.room, (s) => s.chat.length === 0, 'the owner removal in the live room');
  const left = await api(node.url, 'GET', `/v1/user/messages?roomId=${dojoId}`, c.token);
  assert.equal(left.body.messages, []);
});

test('malformed, unknown, oversized and flooding messages get an error; the room carries on', async () => {
  const garbage: [string, unknown][] = [
    ['chat', 'plain string'],
    ['chat', { text: 7 }],
    ['chat', { text: 'x'.repeat(2001) }],
    ['code', { text: 'y'.repeat(150 * 1024) }],
    ['turnSeconds', { seconds: 'soon' }],
    ['handHost', { userId: 42 }],
    ['no-such-type', { a: 1 }],
  ];
  for (const [type, payload] of garbage) C!.room.send(type, payload);
  await errorWith(C!, ROOM_ERRORS.UNKNOWN_MESSAGE);
  assert.ok(
    C!.errors.filter((e) => e.code === ROOM_ERRORS.INVALID_MESSAGE).length >= 6,
    JSON.stringify(C!.errors),
  );
  for (let i = 0; i < 60; i++) C!.room.send('rotate', {});
  await errorWith(C!, ROOM_ERRORS.RATE_LIMITED);
  const notHost = C!.errors.filter((e) => e.code === ROOM_ERRORS.NOT_HOST).length;
  assert.ok(notHost <= 25, `rate limited after the burst (${notHost} applied)`);
  B.room.send('code', { text: 'still alive' });
  const s = await waitFor(C!.room, (s) => s.code === 'still alive', 'the room still applies edits');
  assert.is(s.pilotId, b.userId, 'nothing rotated');
});

test('a dropped connection keeps its seat and place within the window; after it, it is out of the rotation', async () => {
  const before = view(A.room);
  B.room.reconnection.minUptime = 0;
  const sessionId = B.room.sessionId;
  const reconnected = new Promise<void>((resolve) => B.room.onReconnect(() => resolve()));
  B.room.connection.close(4010, 'network blip');
  await reconnected;
  assert.is(B.room.sessionId, sessionId, 'same seat');
  const after = view(A.room);
  assert.equal([after.pilotId, after.copilotId], [before.pilotId, before.copilotId]);
  assert.ok(after.participants[b.userId]?.connected);
  B.room.send('code', { text: 'back again' });
  await waitFor(A.room, (s) => s.code === 'back again', 'the reconnected pilot edits');

  C!.room.reconnection.enabled = false;
  const dropped = Date.now();
  C!.room.connection.close(4010, 'gone for good');
  await sleep(1000);
  assert.ok(view(A.room).participants[c.userId]?.connected, 'still seated inside the window');
  const s = await waitFor(
    A.room,
    (s) => s.participants[c.userId]?.connected === false,
    'seat released',
    6000,
  );
  assert.ok(Date.now() - dropped >= 1900, 'not before the 2 s window');
  assert.not.ok([s.pilotId, s.copilotId].includes(c.userId));
  assert.is(s.participants[c.userId]?.role, 'audience');
  C = undefined;
});

test('the room snapshots to the store: a new room for the dojo starts from the same code and rotation', async () => {
  const s = await waitFor(A.room, (s) => s.code === 'back again', 'code');
  await sleep(300);
  const bLeft = new Promise<number>((resolve) => B.room.onLeave((code) => resolve(code)));
  B.room.send('leave', {});
  assert.is(await bLeft, 4000, 'leave {} closes the connection as a consented leave');
  const without = await waitFor(
    A.room,
    (x) => x.participants[b.userId]?.connected === false,
    'b left at once',
  );
  assert.not.ok([without.pilotId, without.copilotId].includes(b.userId), 'and out of the rotation');
  await leaveAll(A);
  await sleep(300);
  A = await join(node.url, host.token, dojoId);
  const restored = await waitFor(A.room, (x) => x.code === 'back again', 'restored code');
  assert.is(restored.turnSeconds, s.turnSeconds);
  assert.is(restored.participants[b.userId]?.connected, false, 'known participants are back, not connected');
  assert.is((await api(node.url, 'GET', `/v1/dojos/${dojoId}`, host.token)).body.status, 'LIVE');
  await leaveAll(A);
  await sleep(300);
  assert.is((await api(node.url, 'GET', `/v1/dojos/${dojoId}`, host.token)).body.status, 'ENDED');
});

test.run();

const clock = suite('dojo room clock and tokens (short turns, short-lived tokens)');
let fast: Node;
clock.before(async () => {
  fast = await startNode({ DOJO_TEST_TURN_SECONDS: '2', DOJO_TEST_TOKEN_TTL_SECONDS: '3' });
});
clock.after(() => fast?.stop());

clock(
  'the rotation advances on the room clock: copilot → pilot, next → copilot, pilot → back of the line',
  async () => {
    const [o, m1, m2] = (await team(fast, 2)) as [LoggedIn, LoggedIn, LoggedIn];
    const id = await createDojo(fast.url, o, [m1, m2]);
    const seats = [
      await join(fast.url, o.token, id),
      await join(fast.url, m1.token, id),
      await join(fast.url, m2.token, id),
    ];
    const [x, y, z] = seats as [Seat, Seat, Seat];
    try {
      const first = await waitFor(
        z.room,
        (s) => s.pilotId === o.userId && s.copilotId === m1.userId,
        'initial roles',
      );
      const second = await waitFor(z.room, (s) => s.pilotId === m1.userId, 'first turn over', 4000);
      assert.is(second.copilotId, m2.userId);
      assert.is(second.participants[o.userId]?.role, 'host', 'the host waits in line, shown as host');
      assert.ok(second.turnEndsAt >= first.turnEndsAt + 1900, 'a fresh 2 s turn');
      const third = await waitFor(x.room, (s) => s.pilotId === m2.userId, 'second turn over', 4000);
      assert.is(third.copilotId, o.userId);
      assert.equal(view(y.room).pilotId, m2.userId, 'every client sees the same turn');
    } finally {
      await leaveAll(...seats);
    }
  },
);

clock('an expired access token is refused at matchmaking', async () => {
  const [o] = (await team(fast, 0)) as [LoggedIn];
  const id = await createDojo(fast.url, o, []);
  await sleep(3500);
  const refused = await refusal(fast.url, o.token, id);
  assert.ok(refused.message.startsWith(`${JOIN_ERRORS.TOKEN_EXPIRED}:`), refused.message);
});

clock.run();
