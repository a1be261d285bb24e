/**
 * The default configuration (all roles on one port, CORS_ORIGINS unset) as a real process, tried as a
 * browser and a mobile app would: one front door answers every request and every WebSocket upgrade.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { signUpAndLogin, type LoggedIn } from '../support/accounts.ts';
import { freePort, spawnSystem, type SpawnedSystem } from '../support/system.ts';
import { createDojo, join, refusal } from '../dojos/helpers.ts';
import { upgradeStatus } from '../push/client.ts';

const s = suite('front door: the default start, all roles');

let node: SpawnedSystem;
let dataDir = '';
let own = '';
let owner: LoggedIn;
const FOREIGN = 'https://evil.example';

s.before(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'dojo-front-'));
  const port = await freePort();
  own = `http://localhost:${port}`;
  node = await spawnSystem(
    { DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' },
    { timeoutMs: 60_000 },
  );
  owner = await signUpAndLogin({ url: node.url, dataDir });
});

s.after(async () => {
  await node?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const SECURITY_HEADERS = [
  'x-content-type-options',
  'x-frame-options',
  'content-security-policy',
  'x-request-id',
];
const assertSecurityHeaders = (res: Response, label: string) => {
  for (const h of SECURITY_HEADERS) assert.ok(res.headers.get(h), `${label}: ${h}`);
};

const matchmake = (body: string, headers: Record<string, string> = {}) =>
  fetch(`${node.url}/matchmake/joinOrCreate/dojo`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });

s('a foreign Origin gets no CORS grant, on /v1/* and on the matchmaking route', async () => {
  const api = await fetch(`${node.url}/v1/login`, {
    method: 'POST',
    headers: { origin: FOREIGN, 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'nobody', password: 'wrong password' }),
  });
  assert.is(api.status, 401);
  assert.is(api.headers.get('access-control-allow-origin'), null);
  assert.is(api.headers.get('access-control-allow-credentials'), null);
  const rooms = await matchmake('{}', { origin: FOREIGN });
  assert.is(rooms.status, 401);
  assert.is(rooms.headers.get('access-control-allow-origin'), null);
  const preflight = await fetch(`${node.url}/matchmake/joinOrCreate/dojo`, {
    method: 'OPTIONS',
    headers: { origin: FOREIGN, 'access-control-request-method': 'POST' },
  });
  assert.is(preflight.headers.get('access-control-allow-origin'), null);
});

s('the server’s own origin gets exactly its origin back, and its preflight', async () => {
  const res = await fetch(`${node.url}/v1/account/profile`, {
    headers: { origin: own, authorization: `Bearer ${owner.token}` },
  });
  assert.is(res.status, 200);
  assert.is(res.headers.get('access-control-allow-origin'), own);
  const preflight = await fetch(`${node.url}/v1/login`, {
    method: 'OPTIONS',
    headers: {
      origin: own,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    },
  });
  assert.is(preflight.status, 204);
  assert.is(preflight.headers.get('access-control-allow-origin'), own);
  assert.is(preflight.headers.get('access-control-allow-methods'), 'POST');
});

s('OPTIONS and 405 are the API’s own answers, with Allow, whichever roles are on', async () => {
  const options = await fetch(`${node.url}/v1/login`, { method: 'OPTIONS', headers: { origin: FOREIGN } });
  assert.equal([options.status, options.headers.get('allow')], [204, 'POST, OPTIONS']);
  const wrong = await fetch(`${node.url}/v1/login`);
  assert.is(wrong.status, 405);
  assert.is(wrong.headers.get('allow'), 'POST, OPTIONS');
  assert.match(wrong.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assertSecurityHeaders(wrong, '405');
  const matchmakeGet = await fetch(`${node.url}/matchmake/joinOrCreate/dojo`);
  assert.is(matchmakeGet.status, 405);
  // `/` is the web app (or, before `npm run build:web`, a page saying how to build it), never Colyseus.
  const home = await fetch(`${node.url}/`);
  assert.match(home.headers.get('content-type') ?? '', /^text\/html/);
  const page = await home.text();
  if (existsSync(path.join(import.meta.dirname, '../../web/dist/index.html'))) {
    assert.is(home.status, 200);
    assert.match(page, /<div id="app">/);
    assert.is(home.headers.get('cache-control'), 'no-cache');
  } else {
    assert.is(home.status, 404);
    assert.match(page, /npm run build:web/);
  }
  const api = await fetch(`${node.url}/v1/no-such-route`);
  assert.is(api.status, 404, 'unknown API paths stay the API’s 404');
  assert.match(api.headers.get('content-type') ?? '', /^application\/problem\+json/);
});

s('security headers on /v1/* and on a refused join, which is a 4xx problem carrying its code', async () => {
  assertSecurityHeaders(await fetch(`${node.url}/v1/account/profile`), '/v1 401');
  const res = await matchmake(JSON.stringify({ dojoId: crypto.randomUUID() }));
  assert.is(res.status, 401);
  assertSecurityHeaders(res, 'refused join');
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  const body = (await res.json()) as { status: number; code: string; message: string };
  assert.equal([body.status, body.code], [401, 'AUTH.TOKEN_MISSING']);
  assert.match(body.message, /^AUTH\.TOKEN_MISSING: /);
  const unknown = await matchmake(JSON.stringify({ dojoId: crypto.randomUUID() }), {
    authorization: `Bearer ${owner.token}`,
  });
  assert.is(unknown.status, 404);
  assert.match(((await unknown.json()) as { message: string }).message, /^DOJO\.NOT_FOUND: /);
  const badRoom = await fetch(`${node.url}/matchmake/joinOrCreate/nosuchroom`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${owner.token}` },
    body: '{}',
  });
  assert.is(badRoom.status, 404);
});

s(
  'the matchmaking route reads a bounded body: a big one is 413, invalid JSON 400, never buffered whole',
  async () => {
    const big = await matchmake(JSON.stringify({ dojoId: 'x'.repeat(64 * 1024) }));
    assert.is(big.status, 413);
    const invalid = await matchmake('{"dojoId":');
    assert.is(invalid.status, 400);
    const array = await matchmake('[1,2]');
    assert.is(array.status, 400);
  },
);

/** A raw WebSocket handshake to a room-like path: the status the server answers it with. */
const handshake = (headers: Record<string, string>) =>
  upgradeStatus(node.url, headers, '/some-process/some-room');

s(
  'a browser WebSocket from a foreign origin is refused; the own origin and no Origin (apps) are not',
  async () => {
    assert.is(await handshake({ origin: FOREIGN }), 403);
    assert.is(await handshake({ origin: own }), 101);
    assert.is(await handshake({}), 101);
  },
);

/** What the server answers to raw bytes on a fresh connection. */
function raw(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const url = new URL(node.url);
    const socket = connect(Number(url.port), url.hostname, () => socket.end(bytes));
    let out = '';
    socket.on('data', (d: Buffer) => (out += d.toString()));
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
  });
}

s('what the HTTP parser refuses is a problem too: headers too large 431, garbage 400', async () => {
  const big = await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
  assert.match(big, /^HTTP\/1\.1 431 /);
  assert.match(big, /application\/problem\+json/);
  assert.match(big, /"code":"HTTP.HEADERS_TOO_LARGE"/);
  const garbage = await raw('NOT HTTP AT ALL\r\n\r\n');
  assert.match(garbage, /^HTTP\/1\.1 400 /);
  assert.match(garbage, /"status":400/);
});

s('a Colyseus join still works through the front door, and a refused one keeps its code', async () => {
  const dojoId = await createDojo(node.url, owner, []);
  const seat = await join(node.url, owner.token, dojoId);
  assert.ok(seat.room.roomId);
  await seat.room.leave();
  const refused = await refusal(node.url, 'not-a-token', dojoId);
  assert.is(refused.code, 401);
  assert.match(refused.message, /^AUTH\.INVALID_TOKEN: /);
});

s.run();
