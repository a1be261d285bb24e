import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MemoryBus } from '../../adapters/bus-memory/index.ts';
import { SqliteStore } from '../../adapters/store-sqlite/index.ts';
import { silentLogger } from '../../lib/log.ts';
import { Authenticator } from './authenticator.ts';
import { KeyRing } from './keyring.ts';
import { OAuthError, Sessions, hashToken } from './refresh.ts';
import { AccountsRepo } from './repo.ts';
import { ACCOUNTS_MIGRATIONS, TABLES } from './schema.ts';
import { AccessTokens } from './tokens.ts';

const s = suite('accounts: refresh-token families');
let dir = '';
let store: SqliteStore;
let bus: MemoryBus;
let now = Date.now();
let sessions: Sessions;
let authenticator: Authenticator;
let repo: AccountsRepo;
const userId = randomUUID();
const tenantId = randomUUID();

const clock = () => now;

s.before.each(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'dojo-refresh-'));
  store = new SqliteStore({ dataDir: dir, logger: silentLogger() });
  await store.migrate(ACCOUNTS_MIGRATIONS);
  bus = new MemoryBus();
  now = Date.now();
  const keys = new KeyRing({
    store,
    logger: silentLogger(),
    maxAgeSeconds: 1e9,
    retiredTrustSeconds: 900,
    refreshMs: 60_000,
  });
  const tokens = new AccessTokens({
    keys,
    issuer: 'http://test',
    audience: 'dojo-api',
    ttlSeconds: 900,
    clockToleranceSeconds: 0,
  });
  authenticator = new Authenticator({
    tokens,
    store,
    bus,
    logger: silentLogger(),
    cacheSize: 100,
    revocationRecheckMs: 30_000,
    userStateCacheMs: 30_000,
  });
  repo = new AccountsRepo(store);
  sessions = new Sessions({
    store,
    repo,
    tokens,
    authenticator,
    logger: silentLogger(),
    familyTtlSeconds: 3600,
    graceSeconds: 10,
    now: clock,
  });
  await store.insert(TABLES.users, {
    user_id: userId,
    tenant_id: tenantId,
    username: 'refresher',
    email: 'r@example.com',
    first_name: 'R',
    last_name: 'F',
    password_hash: 'x',
    account_status: 'A',
    role: 'member',
    sessions_valid_after: 0,
    created: new Date(),
    updated: new Date(),
  });
});
s.after.each(async () => {
  await authenticator.close();
  await bus.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const user = async () => {
  const u = await repo.user(userId);
  if (!u) throw new Error('no user');
  return u;
};

async function grantError(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'granted';
  } catch (error) {
    if (error instanceof OAuthError) return error.error;
    throw error;
  }
}

s('the store keeps hashes only; the replay is sealed with the rotated token', async () => {
  const first = await sessions.start(await user());
  const second = await sessions.refresh(first.refreshToken);
  const rows = await Promise.all(
    [first.refreshToken, second.refreshToken].map((t) =>
      store.get(TABLES.refreshTokens, { token_hash: hashToken(t) }),
    ),
  );
  assert.ok(rows.every(Boolean));
  const replay = rows[0]?.replay as Buffer;
  assert.ok(Buffer.isBuffer(replay));
  assert.not.ok(replay.includes(Buffer.from(second.refreshToken)), 'the successor is not stored in clear');
  assert.not.ok(replay.includes(Buffer.from(second.accessToken.split('.')[1] ?? '')));
  const again = await sessions.refresh(first.refreshToken);
  assert.equal(again, second, 'within the grace window the holder gets the same answer');
});

s('concurrent refreshes of one token rotate it once and all get the same pair', async () => {
  const first = await sessions.start(await user());
  const answers = await Promise.all(Array.from({ length: 5 }, () => sessions.refresh(first.refreshToken)));
  assert.is(new Set(answers.map((a) => a.refreshToken)).size, 1);
  assert.is(new Set(answers.map((a) => a.accessToken)).size, 1);
  const next = await sessions.refresh(answers[0]?.refreshToken ?? '');
  assert.ok(next.refreshToken);
});

s('after the grace window, reuse revokes the family and its access token', async () => {
  const first = await sessions.start(await user());
  const second = await sessions.refresh(first.refreshToken);
  assert.ok(await authenticator.authenticate(second.accessToken));
  now += 11_000;
  assert.is(await grantError(sessions.refresh(first.refreshToken)), 'invalid_grant');
  assert.is(await grantError(sessions.refresh(second.refreshToken)), 'invalid_grant');
  assert.is(
    await authenticator.authenticate(second.accessToken).then(
      () => 'ok',
      () => 'refused',
    ),
    'refused',
  );
});

s('a family has an absolute lifetime, however often it is refreshed', async () => {
  let pair = await sessions.start(await user());
  for (let i = 0; i < 5; i++) {
    now += 700_000;
    pair = await sessions.refresh(pair.refreshToken);
  }
  now += 700_000;
  assert.is(await grantError(sessions.refresh(pair.refreshToken)), 'invalid_grant');
});

s('malformed and unknown tokens are invalid_grant without touching a family', async () => {
  assert.is(await grantError(sessions.refresh('not-a-token')), 'invalid_grant');
  assert.is(await grantError(sessions.refresh(`rt_${'A'.repeat(43)}`)), 'invalid_grant');
});

s.run();
