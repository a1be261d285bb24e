import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SqliteStore } from '../../adapters/store-sqlite/index.ts';
import { silentLogger } from '../../lib/log.ts';
import { KeyRing } from './keyring.ts';
import { ACCOUNTS_MIGRATIONS, TABLES } from './schema.ts';

const s = suite('accounts: signing key ring');
let dir = '';
let store: SqliteStore;
let now = Date.UTC(2030, 0, 1);

const ring = (options: Partial<ConstructorParameters<typeof KeyRing>[0]> = {}) =>
  new KeyRing({
    store,
    logger: silentLogger(),
    maxAgeSeconds: 30 * 24 * 3600,
    retiredTrustSeconds: 900,
    refreshMs: 0,
    now: () => now,
    ...options,
  });

s.before.each(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'dojo-keyring-'));
  store = new SqliteStore({ dataDir: dir, logger: silentLogger() });
  await store.migrate(ACCOUNTS_MIGRATIONS);
});
s.after.each(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

s('nodes booting together agree on one first key and leave no orphan', async () => {
  const [a, b, c] = [ring(), ring(), ring()];
  const kids = await Promise.all([a.signing(), b.signing(), c.signing()]);
  assert.is(new Set(kids.map((k) => k.kid)).size, 1);
  const rows = await store.query(TABLES.keys, { where: { ring: 'access' } });
  assert.is(rows.rows.length, 1);
  const jwks = await a.jwks();
  assert.is(jwks.keys.length, 1);
  assert.equal(Object.keys(jwks.keys[0] ?? {}).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
});

s('a retired key verifies until its tokens have expired, then leaves the JWKS', async () => {
  const keys = ring();
  const first = await keys.signing();
  await keys.rotate();
  const second = await keys.signing();
  assert.is.not(second.kid, first.kid);
  assert.ok(await keys.verificationKey(first.kid), 'still trusted right after rotation');
  assert.equal(
    (await keys.jwks()).keys.map((k) => k.kid),
    [second.kid, first.kid],
  );
  now += 901_000;
  assert.is(await keys.verificationKey(first.kid), undefined, 'no longer trusted');
  assert.equal(
    (await keys.jwks()).keys.map((k) => k.kid),
    [second.kid],
  );
  assert.ok(await keys.verificationKey(second.kid));
  assert.is(await keys.verificationKey('unknown'), undefined);
  assert.is(await keys.verificationKey(undefined), undefined);
});

s('rotateIfDue replaces a key past its age, once, even with two nodes checking', async () => {
  const a = ring({ maxAgeSeconds: 60 });
  const b = ring({ maxAgeSeconds: 60 });
  const first = await a.signing();
  assert.is(await a.rotateIfDue(), false);
  now += 61_000;
  await Promise.all([a.rotateIfDue(), b.rotateIfDue()]);
  const [ka, kb] = [await a.signing(), await b.signing()];
  assert.is(ka.kid, kb.kid);
  assert.is.not(ka.kid, first.kid);
  const pointer = await store.get(TABLES.currentKey, { ring: 'access' });
  assert.is(pointer?.generation, 2, 'one rotation, not two');
  const rows = await store.query(TABLES.keys, { where: { ring: 'access' } });
  assert.is(rows.rows.length, 2, 'the losing node removed its key');
});

s('keys nobody can need any more are cleaned up', async () => {
  const keys = ring({ maxAgeSeconds: 60 });
  const first = await keys.signing();
  now += 61_000;
  await keys.rotateIfDue();
  now += 2 * 24 * 3600 * 1000;
  await keys.rotateIfDue();
  const rows = await store.query(TABLES.keys, { where: { ring: 'access' } });
  assert.not.ok(rows.rows.some((r) => r.kid === first.kid));
});

s.run();
