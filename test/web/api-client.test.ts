/**
 * The web app's API client and session store, run in Node against a real server: one refresh in flight
 * however many callers need one (the server revokes the whole family when a used refresh token comes
 * back, so a second concurrent refresh would end the session), a 401 answered by one refresh and a retry,
 * a refused refresh ending the session, and problem+json field errors by path.
 */
import { randomBytes } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ApiError, buildUrl, createApi } from '../../web/src/api/client.ts';
import { SESSION_KEY, SessionEnded, SessionStore } from '../../web/src/api/session.ts';
import { signUpAndLogin } from '../support/accounts.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

/** The Web Storage interface over a Map, as localStorage is in the browser. */
class MemoryStorage implements Storage {
  readonly #items = new Map<string, string>();
  get length() {
    return this.#items.size;
  }
  clear() {
    this.#items.clear();
  }
  getItem(key: string) {
    return this.#items.get(key) ?? null;
  }
  key(index: number) {
    return [...this.#items.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.#items.delete(key);
  }
  setItem(key: string, value: string) {
    this.#items.set(key, value);
  }
}

const s = suite('web: API client and session refresh against a real server');
let system: TestSystem;
let username = '';
const password = `pw-${randomBytes(9).toString('base64url')}`;

s.before(async () => {
  system = await startTestSystem();
  username = (await signUpAndLogin(system, { password })).username;
});
s.after(async () => {
  await system?.cleanup();
});

async function loggedIn(onEnded?: () => void) {
  const storage = new MemoryStorage();
  let refreshCalls = 0;
  const fetchImpl: typeof fetch = (input, init) => {
    if (String(input).endsWith('/v1/oauth/token')) refreshCalls++;
    return fetch(input, init);
  };
  const sessions = new SessionStore({
    apiBase: system.url,
    storage,
    fetchImpl,
    ...(onEnded ? { onEnded } : {}),
  });
  const api = createApi(system.url, sessions, fetchImpl);
  sessions.start(await api.post('/v1/login', { body: { username, password } }));
  return { storage, sessions, api, refreshes: () => refreshCalls };
}

s('login stores the session under dojo.session in the agreed shape', async () => {
  const { storage, sessions } = await loggedIn();
  const stored = JSON.parse(storage.getItem(SESSION_KEY)!) as Record<string, unknown>;
  assert.equal(Object.keys(stored).sort(), [
    'accessToken',
    'expiresAt',
    'refreshToken',
    'tenantId',
    'userId',
  ]);
  assert.ok((stored.expiresAt as number) > Date.now());
  const session = sessions.session()!;
  assert.is(await session.accessToken(), stored.accessToken);
});

s('concurrent refreshes share one request, and the new token works', async () => {
  const { sessions, api, refreshes } = await loggedIn();
  const before = sessions.current()!;
  const results = await Promise.all(Array.from({ length: 5 }, () => sessions.refresh()));
  assert.is(refreshes(), 1);
  assert.ok(results.every((r) => r.accessToken === results[0]!.accessToken));
  assert.is.not(sessions.current()!.refreshToken, before.refreshToken);
  const profile = await api.get('/v1/account/profile');
  assert.is(profile.username, username);
});

s('a token about to expire is refreshed before the request', async () => {
  const { sessions, storage, api, refreshes } = await loggedIn();
  storage.setItem(SESSION_KEY, JSON.stringify({ ...sessions.current()!, expiresAt: Date.now() + 1000 }));
  await api.get('/v1/account/profile');
  assert.is(refreshes(), 1);
  assert.ok(sessions.current()!.expiresAt > Date.now() + 60_000);
});

s('a 401 is answered by one refresh and the request again', async () => {
  const { sessions, storage, api, refreshes } = await loggedIn();
  storage.setItem(SESSION_KEY, JSON.stringify({ ...sessions.current()!, accessToken: 'not-a-token' }));
  const [a, b] = await Promise.all([api.get('/v1/account/profile'), api.get('/v1/tenant')]);
  assert.is(a.username, username);
  assert.ok(b.tenantId);
  assert.is(refreshes(), 1);
});

s('a refused refresh ends the session', async () => {
  let ended = 0;
  const { sessions, storage, api } = await loggedIn(() => ended++);
  storage.setItem(
    SESSION_KEY,
    JSON.stringify({ ...sessions.current()!, accessToken: 'x', refreshToken: 'y'.repeat(40) }),
  );
  try {
    await api.get('/v1/account/profile');
    assert.unreachable('should have thrown');
  } catch (error) {
    assert.instance(error, SessionEnded);
  }
  assert.is(ended, 1);
  assert.is(storage.getItem(SESSION_KEY), null);
  assert.is(sessions.session(), undefined);
});

s('problem+json field errors come back by path', async () => {
  const { api } = await loggedIn();
  try {
    await api.post('/v1/pocs', { body: { name: '', language: 'Go', repoUrl: 'ftp://example.com' } });
    assert.unreachable('should have thrown');
  } catch (error) {
    assert.instance(error, ApiError);
    const e = error as ApiError;
    assert.is(e.status, 400);
    assert.ok(e.fieldErrors.name, JSON.stringify(e.fieldErrors));
    assert.ok(e.fieldErrors.repoUrl, JSON.stringify(e.fieldErrors));
  }
});

s('paths and queries are built from the OpenAPI templates', () => {
  assert.is(buildUrl('', '/v1/pocs/{id}', { params: { id: 'a/b' } }), '/v1/pocs/a%2Fb');
  assert.is(
    buildUrl('http://h', '/v1/pocs', { query: { tag: ['a', 'b'], name: '', limit: 3 } }),
    'http://h/v1/pocs?tag=a&tag=b&limit=3',
  );
});

s.run();
