import { randomUUID } from 'node:crypto';
import { generateKeyPair } from 'jose';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startMain } from './flow.suite.ts';
import {
  claimsOf,
  forge,
  get,
  headerOf,
  login,
  newSession,
  post,
  refresh,
  unsigned,
  type Backend,
  type Node,
} from './harness.ts';

const profile = (node: Node, token: string) => get(node, '/v1/account/profile', { token });

/** What an access token must be to pass, key rotation, and the ways sessions end. */
export function tokensSuite(backend: Backend): void {
  const s = suite(`accounts tokens (${backend.label})`);
  let node: Node;
  s.before(async () => {
    node = await startMain(backend);
  });
  s.after(() => node.stop());

  s(
    'a token re-signed with the real key and the same claims passes (the forging helper is sound)',
    async () => {
      const session = await newSession(node);
      const copy = await forge(node, session.token, { claims: { jti: randomUUID() } });
      assert.is((await profile(node, copy)).status, 200);
    },
  );

  s(
    'alg none, wrong aud or iss, expired, foreign key, unknown kid, HMAC and tampering are all 401',
    async () => {
      const session = await newSession(node);
      const claims = claimsOf(session.token);
      const header = headerOf(session.token);
      const now = Math.floor(Date.now() / 1000);
      const foreign = (await generateKeyPair('ES256')).privateKey;
      const [head, body, sig] = session.token.split('.');
      const tamperedBody = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
      const cases: Record<string, string> = {
        'alg none': unsigned({ ...header, alg: 'none' }, { ...claims, jti: randomUUID() }),
        'alg none, no signature part': unsigned({ alg: 'none' }, claims).slice(0, -1),
        'wrong audience': await forge(node, session.token, {
          claims: { aud: 'someone-else', jti: randomUUID() },
        }),
        'wrong issuer': await forge(node, session.token, {
          claims: { iss: 'https://evil.example', jti: randomUUID() },
        }),
        expired: await forge(node, session.token, {
          claims: { iat: now - 3600, exp: now - 600, jti: randomUUID() },
        }),
        'wrong typ': await forge(node, session.token, {
          header: { typ: 'JWT' },
          claims: { jti: randomUUID() },
        }),
        'foreign key, real kid': await forge(node, session.token, {
          key: foreign,
          claims: { jti: randomUUID() },
        }),
        'unknown kid': await forge(node, session.token, { key: foreign, header: { kid: 'no-such-key' } }),
        'HS256 with the public key as secret': await forge(node, session.token, {
          header: { alg: 'HS256' },
          key: new TextEncoder().encode(JSON.stringify(header)),
        }),
        'tampered claims': `${head}.${tamperedBody}.${sig}`,
        'refresh token as access token': session.refreshToken,
        'not a JWT': 'abc.def',
        'missing tid': await forge(node, session.token, { claims: { tid: undefined, jti: randomUUID() } }),
        'another tenant': await forge(node, session.token, {
          claims: { tid: randomUUID(), jti: randomUUID() },
        }),
      };
      assert.ok(body);
      for (const [name, token] of Object.entries(cases)) {
        const res = await profile(node, token);
        assert.is(res.status, 401, name);
        assert.is(res.type, 'application/problem+json', name);
      }
      const none = await get(node, '/v1/account/profile');
      assert.is(none.status, 401);
      assert.is(none.body.code, 'AUTH.TOKEN_MISSING');
      const expired = await profile(node, cases.expired ?? '');
      assert.is(expired.body.code, 'AUTH.TOKEN_EXPIRED');
      assert.is((await profile(node, session.token)).status, 200, 'the genuine token still works');
    },
  );

  s(
    'key rotation: the retired key keeps verifying, the JWKS lists both, new tokens use the new key',
    async () => {
      const session = await newSession(node);
      const oldKid = String(headerOf(session.token).kid);
      await profile(node, session.token);
      await node.admin().rotateSigningKey();
      const jwks = await get(node, '/.well-known/jwks.json');
      assert.is(jwks.status, 200);
      const keys = jwks.body.keys as { kid: string; d?: string; kty: string }[];
      const kids = keys.map((k) => k.kid);
      assert.ok(kids.includes(oldKid), 'the retired key is still published');
      assert.is(kids.length, 2);
      assert.ok(
        keys.every((k) => k.d === undefined && k.kty === 'EC'),
        'public parts only',
      );
      assert.is(
        (await profile(node, session.token)).status,
        200,
        'a token of the retired key still verifies',
      );
      const fresh = await login(node, session.user);
      const newKid = String(headerOf(fresh.token).kid);
      assert.is.not(newKid, oldKid);
      assert.is(newKid, kids[0], 'the current key comes first');
      assert.is((await profile(node, fresh.token)).status, 200);
      assert.is(await node.admin().rotateSigningKeyIfDue(), false, 'a fresh key is not due');
    },
  );

  s('changing the password ends every session, on the access and the refresh side', async () => {
    const session = await newSession(node);
    const other = await login(node, session.user);
    const wrong = await post(
      node,
      '/v1/account/password',
      { currentPassword: 'not-it', newPassword: 'a much better passphrase' },
      { token: session.token },
    );
    assert.is(wrong.status, 400);
    assert.is((wrong.body.errors as { path: string }[])[0]?.path, 'currentPassword');
    const common = await post(
      node,
      '/v1/account/password',
      { currentPassword: session.user.password, newPassword: 'password1' },
      { token: session.token },
    );
    assert.is((common.body.errors as { path: string }[])[0]?.path, 'newPassword');
    const changed = await post(
      node,
      '/v1/account/password',
      { currentPassword: session.user.password, newPassword: 'a much better passphrase' },
      { token: session.token },
    );
    assert.is(changed.status, 200);
    assert.is((await profile(node, session.token)).status, 401);
    assert.is((await profile(node, other.token)).status, 401);
    assert.is((await refresh(node, other.refreshToken)).body.error, 'invalid_grant');
    const old = await post(node, '/v1/login', {
      username: session.user.username,
      password: session.user.password,
    });
    assert.is(old.status, 401);
    const renewed = await login(node, { ...session.user, password: 'a much better passphrase' });
    assert.is((await profile(node, renewed.token)).status, 200, 'a login right after the change works');
  });

  s('a disabled account loses its sessions and cannot sign in', async () => {
    const session = await newSession(node);
    assert.is((await profile(node, session.token)).status, 200);
    await node.admin().disableUser(session.userId);
    assert.is((await profile(node, session.token)).status, 401);
    assert.is((await refresh(node, session.refreshToken)).body.error, 'invalid_grant');
    const res = await post(node, '/v1/login', {
      username: session.user.username,
      password: session.user.password,
    });
    assert.is(res.status, 403);
    assert.is(res.body.code, 'AUTH.ACCOUNT_DISABLED');
  });

  s('verification cost: cold (signature) vs cached', async () => {
    const session = await newSession(node);
    const auth = node.auth();
    const rounds = 200;
    let cold = 0;
    for (let i = 0; i < rounds; i++) {
      const copy = await forge(node, session.token, { claims: { jti: randomUUID() } });
      const started = performance.now();
      await auth.verify(copy);
      cold += performance.now() - started;
    }
    const started = performance.now();
    for (let i = 0; i < rounds * 10; i++) await auth.verify(session.token);
    const cached = (performance.now() - started) / (rounds * 10);
    console.log(
      `    [measure ${backend.label}] token verification: cold ${(cold / rounds).toFixed(3)} ms (signature + revocation lookup), cached ${(cached * 1000).toFixed(1)} µs`,
    );
    assert.ok(cached < cold / rounds, 'the cache is cheaper');
  });

  s.run();

  if (!backend.shared) return;
  const multi = suite(`accounts across two nodes (${backend.label})`);
  let a: Node;
  let b: Node;
  multi.before(async () => {
    [a, b] = await Promise.all([startMain(backend), startMain(backend)]);
  });
  multi.after(async () => {
    await Promise.all([a.stop(), b.stop()]);
  });

  multi('both nodes sign and verify with one key ring', async () => {
    const [ja, jb] = await Promise.all([get(a, '/.well-known/jwks.json'), get(b, '/.well-known/jwks.json')]);
    assert.equal(ja.body, jb.body);
    const session = await newSession(a);
    assert.is((await profile(b, session.token)).status, 200);
  });

  multi('a logout on one node is refused at once on the other, which had the token cached', async () => {
    const session = await newSession(a);
    assert.is((await profile(b, session.token)).status, 200, 'b verifies and caches');
    assert.is((await post(a, '/v1/logout', {}, { token: session.token })).status, 200);
    await new Promise((r) => setTimeout(r, 100));
    assert.is((await profile(b, session.token)).status, 401);
  });

  multi('a refresh token rotated on one node is reuse on the other', async () => {
    const session = await newSession(a);
    const first = await refresh(a, session.refreshToken);
    assert.is(first.status, 200);
    const replay = await refresh(b, session.refreshToken);
    assert.is(
      replay.body.refresh_token,
      first.body.refresh_token,
      'within the grace window, even on another node',
    );
  });

  multi('login failures are counted across nodes', async () => {
    const session = await newSession(a);
    const fail = (n: Node) =>
      post(n, '/v1/login', { username: session.user.username, password: 'wrong-password' });
    for (let i = 0; i < 3; i++) assert.is((await fail(a)).status, 401);
    for (let i = 0; i < 3; i++) assert.is((await fail(b)).status, 401);
    const locked = await fail(a);
    assert.is(locked.status, 429, 'the sixth failure, split over two nodes, locked the account');
    assert.ok(Number(locked.headers.get('retry-after')) >= 1);
  });

  multi.run();
}
