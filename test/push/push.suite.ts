/**
 * The realtime push end to end, in-process: a system with the accounts and push modules, clients from
 * socket.io-client exactly as the contract has them connect. Run on embedded adapters and, with Redis, on
 * the Redis Streams backplane (then also across two systems sharing one Redis).
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Env } from '../../config/index.ts';
import type { Push } from '../../server/capabilities.ts';
import type { DojoModule } from '../../server/modules.ts';
import { createAccountsModule } from '../../server/modules/accounts/index.ts';
import type { AccountsOptionsInput } from '../../server/modules/accounts/options.ts';
import { createPushModule } from '../../server/modules/push/index.ts';
import { CHEAP_HASHING } from '../accounts/harness.ts';
import { signUpAndLogin, type LoggedIn } from '../support/accounts.ts';
import { uniqueName } from '../support/services.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';
import { connect, quiet, refusal, upgradeStatus, type Connected } from './client.ts';

export interface PushBackend {
  readonly label: string;
  /** Variables of every system of the suite (REDIS_URL and a key prefix of this run, or none). */
  readonly env: Env;
  /** Whether two systems of this backend share their pub/sub (Redis): then cross-system delivery is shown. */
  readonly shared: boolean;
  cleanup(): Promise<void>;
}

export function embeddedPush(): PushBackend {
  return { label: 'embedded', env: {}, shared: false, cleanup: async () => {} };
}

export function redisPush(redisUrl: string): PushBackend {
  const prefix = `${uniqueName('push')}:`;
  return {
    label: 'redis streams',
    env: { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix },
    shared: true,
    cleanup: async () => {
      const redis = new Redis(redisUrl, { lazyConnect: true });
      try {
        await redis.connect();
        const keys = await redis.keys(`${prefix}*`);
        if (keys.length) await redis.del(...keys);
      } finally {
        redis.disconnect();
      }
    },
  };
}

const modules = (accounts: AccountsOptionsInput = {}): DojoModule[] => [
  createAccountsModule({ hashing: CHEAP_HASHING, ...accounts }),
  createPushModule(),
];

interface User extends LoggedIn {
  readonly password: string;
}

async function newUser(system: TestSystem): Promise<User> {
  const password = `pw-${randomBytes(12).toString('base64url')}`;
  return { ...(await signUpAndLogin(system, { password })), password };
}

async function login(system: TestSystem, user: User): Promise<string> {
  const res = await fetch(`${system.url}/v1/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: user.username, password: user.password }),
  });
  assert.is(res.status, 200);
  return String(((await res.json()) as { token: string }).token);
}

async function logout(system: TestSystem, token: string): Promise<void> {
  const res = await fetch(`${system.url}/v1/logout`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: '{}',
  });
  assert.is(res.status, 200);
}

const pushOf = (system: TestSystem): Push => {
  const push = system.capabilities.push;
  if (!push) throw new Error('the push module did not start');
  return push;
};

const notification = (title: string) => ({
  notificationId: crypto.randomUUID(),
  type: 'dojo.invited',
  title,
  message: 'You are invited.',
  data: { dojoId: crypto.randomUUID() },
  read: false,
  seen: false,
  created: new Date().toISOString(),
});

export function pushSuites(backend: PushBackend): void {
  const s = suite(`push (${backend.label})`);
  const systems: TestSystem[] = [];
  const clients: Connected[] = [];
  let system: TestSystem;

  const start = async (accounts: AccountsOptionsInput = {}, env: Env = {}) => {
    const started = await startTestSystem({ env: { ...backend.env, ...env }, modules: modules(accounts) });
    systems.push(started);
    return started;
  };
  const open = async (url: string, token: string, headers: Record<string, string> = {}) => {
    const c = await connect(url, token, { headers });
    clients.push(c);
    return c;
  };

  s.before(async () => {
    system = await start();
  });
  s.after.each(() => {
    for (const c of clients.splice(0)) c.close();
  });
  s.after(async () => {
    await Promise.allSettled(systems.map((x) => x.cleanup()));
    await backend.cleanup();
  });

  s('a client with a valid token connects and receives what toUser sends it, in order', async () => {
    const user = await newUser(system);
    const c = await open(system.url, user.token);
    await pushOf(system).toUser(user.userId, 'notification', notification('first'));
    await pushOf(system).toUser(user.userId, 'notification:count', { unreadCount: 3 });
    await pushOf(system).toUser(user.userId, 'job:progress', {
      kind: 'report',
      id: 'r1',
      status: 'RUNNING',
      progress: 0.5,
    });
    assert.is(((await c.next('notification')) as { title: string }).title, 'first');
    assert.equal(await c.next('notification:count'), { unreadCount: 3 });
    assert.equal(await c.next('job:progress'), {
      kind: 'report',
      id: 'r1',
      status: 'RUNNING',
      progress: 0.5,
    });
    assert.equal(
      c.received.map((r) => r.event),
      ['notification', 'notification:count', 'job:progress'],
    );
  });

  s('every socket of the user gets the event; another user gets none of it', async () => {
    const [a, b] = [await newUser(system), await newUser(system)];
    const a1 = await open(system.url, a.token);
    const a2 = await open(system.url, await login(system, a));
    const b1 = await open(system.url, b.token);
    await pushOf(system).toUser(a.userId, 'notification:count', { unreadCount: 1 });
    assert.equal(await a1.next('notification:count'), { unreadCount: 1 });
    assert.equal(await a2.next('notification:count'), { unreadCount: 1 });
    await pushOf(system).toUser(b.userId, 'notification:count', { unreadCount: 7 });
    assert.equal(await b1.next('notification:count'), { unreadCount: 7 });
    await quiet(200);
    assert.equal(
      b1.received.map((r) => r.payload),
      [{ unreadCount: 7 }],
      'b saw only its own event',
    );
    assert.is(a1.received.length, 1, 'a saw only its own event');
    // An unknown user is nobody's: nothing breaks, nothing arrives.
    await pushOf(system).toUser(crypto.randomUUID(), 'notification:count', { unreadCount: 9 });
    await quiet(100);
    assert.is(a1.received.length + b1.received.length, 2);
  });

  s('a missing, garbage or non-string token is refused with its code as connect_error message', async () => {
    assert.is(await refusal(system.url, undefined), 'AUTH.TOKEN_MISSING');
    assert.is(await refusal(system.url, ''), 'AUTH.TOKEN_MISSING');
    assert.is(await refusal(system.url, 'garbage'), 'AUTH.INVALID_TOKEN');
    assert.is(await refusal(system.url, 'a.b.c'), 'AUTH.INVALID_TOKEN');
    assert.is(await refusal(system.url, undefined, { auth: { token: 42 } }), 'AUTH.INVALID_TOKEN');
    // A token of another deployment (another signing key) is as invalid.
    const elsewhere = await start();
    const stranger = await newUser(elsewhere);
    assert.is(await refusal(system.url, stranger.token), 'AUTH.INVALID_TOKEN');
  });

  s('an expired token is refused with AUTH.TOKEN_EXPIRED; a socket opened before expiry stays', async () => {
    const short = await start({ accessTokenTtlSeconds: 1, clockToleranceSeconds: 0 });
    const user = await newUser(short);
    const early = await open(short.url, user.token);
    await quiet(2100);
    assert.is(await refusal(short.url, user.token), 'AUTH.TOKEN_EXPIRED');
    // The handshake is the authentication: the open socket still gets its events (logout still ends it).
    await pushOf(short).toUser(user.userId, 'notification:count', { unreadCount: 2 });
    assert.equal(await early.next('notification:count'), { unreadCount: 2 });
  });

  s(
    'logout disconnects that session’s sockets, not the user’s other sessions; its token is refused',
    async () => {
      const user = await newUser(system);
      const other = await login(system, user);
      const mine = await open(system.url, user.token);
      const mineToo = await open(system.url, user.token);
      const theirs = await open(system.url, other);
      await logout(system, user.token);
      assert.is(await mine.disconnected, 'io server disconnect', 'ended by the server: no reconnection');
      assert.is(await mineToo.disconnected, 'io server disconnect');
      assert.is(await refusal(system.url, user.token), 'AUTH.TOKEN_REVOKED');
      await pushOf(system).toUser(user.userId, 'notification:count', { unreadCount: 5 });
      assert.equal(await theirs.next('notification:count'), { unreadCount: 5 }, 'the other session stays');
      assert.ok(theirs.socket.connected);
    },
  );

  s('disabling a user (all their sessions) disconnects every socket of theirs', async () => {
    const user = await newUser(system);
    const bystander = await newUser(system);
    const sockets = [await open(system.url, user.token), await open(system.url, await login(system, user))];
    const stays = await open(system.url, bystander.token);
    const admin = system.capabilities.accountsAdmin;
    if (!admin) throw new Error('no accountsAdmin');
    await admin.disableUser(user.userId);
    for (const c of sockets) assert.is(await c.disconnected, 'io server disconnect');
    assert.is(await refusal(system.url, user.token), 'AUTH.SESSION_ENDED');
    await quiet(100);
    assert.ok(stays.socket.connected, 'other users keep their sockets');
  });

  s('a foreign Origin is refused at the front door (403); no Origin and the own origin connect', async () => {
    const configured = await start({}, { CORS_ORIGINS: 'https://app.example' });
    const user = await newUser(configured);
    assert.is(await upgradeStatus(configured.url, { origin: 'https://evil.example' }), 403);
    assert.is(await upgradeStatus(configured.url, { origin: 'https://app.example' }), 101);
    assert.is(await upgradeStatus(configured.url, {}), 101);
    await open(configured.url, user.token, { origin: 'https://app.example' });
    await open(configured.url, user.token);
    const foreign = await connect(configured.url, user.token, {
      headers: { origin: 'https://evil.example' },
    }).then(
      () => 'connected',
      (e: Error) => e.message,
    );
    assert.is.not(foreign, 'connected');
  });

  s('websocket only: socket.io’s HTTP long-polling is not served', async () => {
    const res = await fetch(`${system.url}/socket.io/?EIO=4&transport=polling`);
    assert.is(res.status, 404);
    await res.body?.cancel();
  });

  s('a client that sends anything after the handshake is disconnected', async () => {
    const user = await newUser(system);
    const c = await open(system.url, user.token);
    c.socket.emit('hello', { x: 1 });
    assert.is(await c.disconnected, 'io server disconnect');
  });

  s('metrics: dojo_push_sockets counts this node’s sockets, dojo_push_events_total the events', async () => {
    const metricsOf = async () => (await fetch(`${system.url}/metrics`)).text();
    const gauge = (text: string) => Number(/^dojo_push_sockets (\d+)/m.exec(text)?.[1]);
    const before = gauge(await metricsOf());
    const user = await newUser(system);
    const c = await open(system.url, user.token);
    const text = await metricsOf();
    assert.is(gauge(text), before + 1);
    assert.match(text, /^dojo_push_events_total\{event="notification:count"\} \d+/m);
    assert.match(text, /^dojo_push_refusals_total\{code="AUTH.INVALID_TOKEN"\} \d+/m);
    assert.not.ok(text.includes(user.userId), 'no user id in the metrics');
    c.close();
    await quiet(100);
    assert.is(gauge(await metricsOf()), before);
  });

  s('stopping the system closes its sockets as a server going away: clients would reconnect', async () => {
    // A short drain: the upgraded sockets hold Node's server.close() until it times out (see index.ts).
    const node = await start({}, { SHUTDOWN_TIMEOUT_MS: '3000' });
    const user = await newUser(node);
    const c = await open(node.url, user.token);
    await node.cleanup();
    assert.is(await c.disconnected, 'transport close');
  });

  if (backend.shared) {
    s(
      'two systems on one Redis: an event emitted on one reaches the user’s socket on the other',
      async () => {
        const other = await start();
        const user = await newUser(other);
        const c = await open(other.url, user.token);
        const here = await newUser(system);
        const local = await open(system.url, here.token);
        await pushOf(system).toUser(user.userId, 'notification', notification('from the other node'));
        assert.is(((await c.next('notification')) as { title: string }).title, 'from the other node');
        await pushOf(other).toUser(here.userId, 'notification:count', { unreadCount: 4 });
        assert.equal(await local.next('notification:count'), { unreadCount: 4 });
        await quiet(200);
        assert.is(c.received.length, 1, 'delivered once');
        assert.is(local.received.length, 1, 'delivered once');
      },
    );
  }

  s.run();
}
