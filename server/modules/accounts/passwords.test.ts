import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ScryptPool } from './hash-pool.ts';
import { PRODUCTION_SCRYPT } from './options.ts';
import {
  DummyHash,
  hashPassword as hashWith,
  needsRehash,
  passwordProblem,
  verifyPassword as verifyWith,
} from './passwords.ts';

const cheap = { N: 2 ** 10, r: 8, p: 1, keyLength: 32 };
const s = suite('accounts: passwords');
// Hashing as the service does it: on the pool's worker threads.
const pool = new ScryptPool({ threads: 2, maxQueue: 8 });
const hashPassword = (password: string, params: typeof cheap) => hashWith(password, params, pool.derive);
const verifyPassword = (password: string, stored: string) => verifyWith(password, stored, pool.derive);
s.after(() => pool.close());

s('production parameters: OWASP scrypt, hash and verify, and what one hash costs', async () => {
  assert.equal(PRODUCTION_SCRYPT, { N: 2 ** 17, r: 8, p: 1, keyLength: 32 });
  const started = performance.now();
  const hash = await hashPassword('correct horse battery staple', PRODUCTION_SCRYPT);
  const hashMs = performance.now() - started;
  assert.match(hash, /^\$scrypt\$ln=17,r=8,p=1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
  const verifyStarted = performance.now();
  assert.ok(await verifyPassword('correct horse battery staple', hash));
  const verifyMs = performance.now() - verifyStarted;
  assert.not.ok(await verifyPassword('correct horse battery stapler', hash));
  console.log(
    `    [measure] scrypt N=2^17 r=8 p=1: hash ${hashMs.toFixed(0)} ms, verify ${verifyMs.toFixed(0)} ms`,
  );
  assert.ok(hashMs > 20, 'the production cost is real');
});

s(
  'hashes made before the hashing pool (crypto.scrypt on libuv) still verify: the format is unchanged',
  async () => {
    // Made by the previous implementation, at the production and at the cheap test parameters.
    const production =
      '$scrypt$ln=17,r=8,p=1$TUKCAkLuCCYoF__sbYVsZQ$9Gf_HsjJ0lwLJh-jRnFbFqtFfJrxattGlU6VNrZ_KxY';
    const cheapHash =
      '$scrypt$ln=10,r=8,p=1$mp7dzNcxhv48HfmDK2hYSg$2_PItwm8kvSaVZNMqs71sp_f1belVswwWtnIXB-dH74';
    assert.ok(await verifyPassword('correct horse battery staple', production));
    assert.not.ok(await verifyPassword('correct horse battery stapler', production));
    assert.ok(await verifyPassword('cafe\u0301-au-lait', cheapHash), 'NFKC as before');
    assert.not.ok(needsRehash(production, PRODUCTION_SCRYPT));
  },
);

s('salted: the same password hashes differently each time', async () => {
  const [a, b] = await Promise.all([
    hashPassword('same password', cheap),
    hashPassword('same password', cheap),
  ]);
  assert.is.not(a, b);
  assert.ok(await verifyPassword('same password', a));
  assert.ok(await verifyPassword('same password', b));
});

s('never truncated: a change in the last of 128 characters is another password', async () => {
  const long = 'x'.repeat(127);
  const hash = await hashPassword(`${long}a`, cheap);
  assert.not.ok(await verifyPassword(`${long}b`, hash));
  assert.not.ok(await verifyPassword(long, hash));
});

s('Unicode compositions of one password verify alike (NFKC)', async () => {
  const hash = await hashPassword('caf\u00e9-au-lait', cheap);
  assert.ok(await verifyPassword('cafe\u0301-au-lait', hash));
});

s('weaker stored parameters ask for a rehash; malformed hashes never verify', async () => {
  const weak = await hashPassword('some password', cheap);
  assert.ok(needsRehash(weak, PRODUCTION_SCRYPT));
  assert.not.ok(needsRehash(weak, cheap));
  assert.ok(needsRehash('plain-text', cheap));
  assert.not.ok(await verifyPassword('plain-text', 'plain-text'));
  assert.not.ok(
    await verifyPassword(
      'x',
      '$scrypt$ln=40,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    ),
  );
});

s('policy: length, the common list (case-insensitive), not the username or email', () => {
  assert.is(passwordProblem('short', {})?.path, 'password');
  assert.is(passwordProblem('x'.repeat(129), {})?.path, 'password');
  assert.match(passwordProblem('password', {})?.message ?? '', /common/);
  assert.match(passwordProblem('Metallica', {})?.message ?? '', /common/);
  assert.match(passwordProblem('12345678', {})?.message ?? '', /common/);
  assert.ok(passwordProblem('ada.lovelace', { username: 'ada.lovelace' }));
  assert.ok(passwordProblem('ada@example.com', { email: 'ada@example.com' }));
  assert.is(passwordProblem('newPw1-is-fine', {}, 'newPassword'), undefined);
  assert.is(passwordProblem('x'.repeat(130), {}, 'newPassword')?.path, 'newPassword');
});

s('the dummy hash costs a real verification and never matches', async () => {
  const dummy = new DummyHash(cheap, pool.derive);
  assert.match(await dummy.warm(), /^\$scrypt\$ln=10,/);
  assert.is(await dummy.burn('anything'), false);
});

s.run();
