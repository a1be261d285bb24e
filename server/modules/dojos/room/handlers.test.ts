import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  LIMITS,
  ROOM_ERRORS,
  type ClientMessageType,
  type RoomErrorMessage,
} from '../../../../protocol/dojo.ts';
import { DojoState } from '../../../../protocol/dojo-state.ts';
import { HANDLERS, invalidMessage, TokenBucket, type RoomApi, type Seat } from './handlers.ts';

const HOST = '00000000-0000-4000-8000-000000000001';
const PILOT = '00000000-0000-4000-8000-000000000002';
const OTHER = '00000000-0000-4000-8000-000000000003';
const seat = (userId: string): Seat => ({ userId, tenantId: 't', name: userId, dojoId: 'd' });

function fakeRoom() {
  const state = new DojoState();
  state.hostId = HOST;
  state.pilotId = PILOT;
  const calls: string[] = [];
  const room: RoomApi = {
    state,
    postChat: async (userId, text) => void calls.push(`chat ${userId} ${text}`),
    setCode: (text, language) => void calls.push(`code ${text} ${language ?? '-'}`),
    rotate: () => void calls.push('rotate'),
    setTurnSeconds: (s) => void calls.push(`turn ${s}`),
    setHost: (u) => void calls.push(`host ${u}`),
    isPresent: (u) => u === PILOT || u === HOST,
    leave: (sessionId) => void calls.push(`leave ${sessionId}`),
    media: {
      join: async (u, sid) => void calls.push(`media:join ${u} ${sid}`),
      answer: async (u, sid, sdp) => void calls.push(`media:answer ${u} ${sid} ${sdp}`),
      ice: async (u, sid, c) => void calls.push(`media:ice ${u} ${sid} ${c.candidate} ${c.sdpMid}`),
      mute: (u, sid, kind, muted) => void calls.push(`media:mute ${u} ${sid} ${kind} ${muted}`),
      leave: (u, sid) => void calls.push(`media:leave ${u} ${sid}`),
    },
  };
  return { room, calls };
}

/** Validates then runs, as the room's dispatch does. */
async function send(room: RoomApi, type: ClientMessageType, from: string, payload: unknown) {
  const handler = HANDLERS[type];
  const parsed = handler.schema.safeParse(payload);
  if (!parsed.success) return invalidMessage(type, parsed.error);
  return (await handler.run(room, seat(from), parsed.data, 'session-1')) as RoomErrorMessage | undefined;
}

const test = suite('dojo message handlers (table)');

test('every client message type has a schema and a handler', () => {
  assert.equal(Object.keys(HANDLERS).sort(), [
    'chat',
    'code',
    'handHost',
    'leave',
    'media:answer',
    'media:ice',
    'media:join',
    'media:leave',
    'media:mute',
    'rotate',
    'turnSeconds',
  ]);
});

test('malformed payloads are refused with INVALID_MESSAGE naming the field, and nothing runs', async () => {
  const { room, calls } = fakeRoom();
  const bad: [ClientMessageType, unknown][] = [
    ['chat', { text: 42 }],
    ['chat', { text: 'x'.repeat(LIMITS.chatChars + 1) }],
    ['chat', { text: '   ' }],
    ['chat', 'hello'],
    ['chat', null],
    ['chat', { text: 'hi', extra: 1 }],
    ['code', { text: 'é'.repeat(LIMITS.codeBytes / 2 + 1) }],
    ['code', { text: 'x', language: 'Not A Language!' }],
    ['code', []],
    ['turnSeconds', { seconds: 29 }],
    ['turnSeconds', { seconds: 3601 }],
    ['turnSeconds', { seconds: 60.5 }],
    ['handHost', { userId: 'not-a-uuid' }],
    ['rotate', { now: true }],
  ];
  for (const [type, payload] of bad) {
    const refused = await send(room, type, HOST, payload);
    assert.is(refused?.code, ROOM_ERRORS.INVALID_MESSAGE, `${type} ${JSON.stringify(payload)?.slice(0, 40)}`);
  }
  assert.match((await send(room, 'chat', HOST, { text: 42 }))?.message ?? '', /\(text\)/);
  assert.equal(calls, []);
});

test('chat at the limit goes to postChat; rotate and leave accept a missing payload', async () => {
  const { room, calls } = fakeRoom();
  const text = 'x'.repeat(LIMITS.chatChars);
  assert.is(await send(room, 'chat', OTHER, { text }), undefined);
  assert.is(await send(room, 'rotate', HOST, undefined), undefined);
  assert.is(await send(room, 'leave', OTHER, undefined), undefined);
  assert.equal(calls, [`chat ${OTHER} ${text}`, 'rotate', 'leave session-1']);
});

test('only the pilot edits the code (a 100 KB buffer passes)', async () => {
  const { room, calls } = fakeRoom();
  assert.is((await send(room, 'code', HOST, { text: 'nope' }))?.code, ROOM_ERRORS.NOT_PILOT);
  assert.is(
    await send(room, 'code', PILOT, { text: 'a'.repeat(LIMITS.codeBytes), language: 'typescript' }),
    undefined,
  );
  assert.equal(calls, [`code ${'a'.repeat(LIMITS.codeBytes)} typescript`]);
});

test("rotate, turnSeconds and handHost are the host's; handHost needs a present participant", async () => {
  const { room, calls } = fakeRoom();
  for (const [type, payload] of [
    ['rotate', {}],
    ['turnSeconds', { seconds: 60 }],
    ['handHost', { userId: PILOT }],
  ] as const) {
    assert.is((await send(room, type, PILOT, payload))?.code, ROOM_ERRORS.NOT_HOST, type);
  }
  assert.equal(calls, []);
  assert.is(await send(room, 'turnSeconds', HOST, { seconds: 30 }), undefined);
  assert.is((await send(room, 'handHost', HOST, { userId: OTHER }))?.code, ROOM_ERRORS.UNKNOWN_PARTICIPANT);
  assert.is(await send(room, 'handHost', HOST, { userId: PILOT }), undefined);
  assert.equal(calls, ['turn 30', `host ${PILOT}`]);
});

test('token bucket: a burst, then the refill rate', () => {
  const bucket = new TokenBucket(3, 10, 0);
  assert.equal([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)], [true, true, true, false]);
  assert.is(bucket.take(50), false, 'half a token after 50 ms');
  assert.is(bucket.take(100), true, 'one token after 100 ms');
  assert.is(bucket.take(10_000) && bucket.take(10_000) && bucket.take(10_000) && !bucket.take(10_000), true);
});

test('media messages reach the media sessions with the seat and connection; bad ones name the field', async () => {
  const { room, calls } = fakeRoom();
  assert.is(await send(room, 'media:join', OTHER, {}), undefined);
  assert.is(await send(room, 'media:answer', OTHER, { sdp: 'v=0' }), undefined);
  const ice = { candidate: 'candidate:1 1 udp 1 10.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 };
  assert.is(await send(room, 'media:ice', OTHER, ice), undefined);
  assert.is(
    await send(room, 'media:ice', OTHER, { candidate: null, sdpMid: null, sdpMLineIndex: null }),
    undefined,
  );
  assert.is(await send(room, 'media:mute', OTHER, { kind: 'audio', muted: true }), undefined);
  assert.is(await send(room, 'media:leave', OTHER, undefined), undefined);
  assert.equal(calls, [
    `media:join ${OTHER} session-1`,
    `media:answer ${OTHER} session-1 v=0`,
    `media:ice ${OTHER} session-1 ${ice.candidate} 0`,
    `media:ice ${OTHER} session-1 null null`,
    `media:mute ${OTHER} session-1 audio true`,
    `media:leave ${OTHER} session-1`,
  ]);
  const badKind = await send(room, 'media:mute', OTHER, { kind: 'screen', muted: true });
  assert.is(badKind?.code, ROOM_ERRORS.INVALID_MESSAGE);
  assert.match(badKind?.message ?? '', '(kind)');
  const hugeSdp = await send(room, 'media:answer', OTHER, { sdp: 'x'.repeat(70 * 1024) });
  assert.match(hugeSdp?.message ?? '', '(sdp)');
  assert.is(calls.length, 6);
});

test.run();
