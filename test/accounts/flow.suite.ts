import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Env } from '../../config/index.ts';
import {
  CHEAP_HASHING,
  claimsOf,
  get,
  headerOf,
  linkToken,
  mailsTo,
  newSession,
  newUser,
  post,
  refresh,
  startNode,
  type Backend,
  type Node,
} from './harness.ts';

/** Sign-up to logout, refresh rotation and reuse, tenants, invitations and tenant isolation. */
export function flowSuite(backend: Backend): void {
  const s = suite(`accounts flow (${backend.label})`);
  let node: Node;
  s.before(async () => {
    node = await startMain(backend);
  });
  s.after(() => node.stop());

  s('sign-up → mail → confirm → login → profile → refresh → logout', async () => {
    const user = newUser();
    const created = await post(node, '/v1/account', user);
    assert.is(created.status, 201, JSON.stringify(created.body));
    assert.is(created.body.accountStatus, 'C');
    const userId = String(created.body.id);

    const mail = mailsTo(node, user.email).at(-1);
    assert.ok(mail, 'a confirmation mail');
    assert.match(mail.text, /\/v1\/account\/confirm\?token=[A-Za-z0-9_-]{43}/);
    const early = await post(node, '/v1/login', { username: user.username, password: user.password });
    assert.is(early.status, 403);
    assert.is(early.body.code, 'AUTH.ACCOUNT_NOT_CONFIRMED');

    const token = linkToken(node, user.email, 'token');
    const page = await fetch(`${node.url}/v1/account/confirm?token=${token}`);
    assert.is(page.status, 200);
    assert.match(await page.text(), /<form method="post" action="\/v1\/account\/confirm">/);
    const confirmed = await post(node, '/v1/account/confirm', { token });
    assert.equal(confirmed.body, { id: userId, accountStatus: 'A' });
    const again = await post(node, '/v1/account/confirm', { token });
    assert.is(again.status, 400, 'single use');

    const res = await post(node, '/v1/login', { username: user.username, password: user.password });
    assert.is(res.status, 200);
    assert.is(res.headers.get('cache-control'), 'no-store');
    assert.equal(Object.keys(res.body).sort(), [
      'expiresIn',
      'refreshToken',
      'tenantId',
      'token',
      'tokenType',
      'userId',
    ]);
    assert.is(res.body.tokenType, 'Bearer');
    assert.ok(Number(res.body.expiresIn) > 0 && Number(res.body.expiresIn) <= 900);
    const access = String(res.body.token);
    const header = headerOf(access);
    assert.is(header.alg, 'ES256');
    assert.is(header.typ, 'at+jwt');
    assert.type(header.kid, 'string');
    const claims = claimsOf(access);
    assert.is(claims.sub, userId);
    assert.is(claims.tid, res.body.tenantId);
    assert.is(claims.role, 'owner');
    assert.ok(Number(claims.exp) - Number(claims.iat) <= 900);
    assert.not.match(String(res.body.refreshToken), /\./, 'refresh tokens are opaque, not JWTs');

    const profile = await get(node, '/v1/account/profile', { token: access });
    assert.is(profile.status, 200);
    assert.equal(profile.body, {
      userId,
      tenantId: res.body.tenantId,
      username: user.username,
      firstName: user.firstName,
      lastName: user.lastName,
      email: user.email,
      picture: null,
      status: 'OFFLINE',
      role: 'owner',
      settings: {},
    });
    const tenant = await get(node, '/v1/tenant', { token: access });
    assert.equal(tenant.body, {
      tenantId: res.body.tenantId,
      name: "Ada's workspace",
      subscription: { plan: 'FREE', status: 'ACTIVE', expiresAt: null, autoRenew: false },
    });

    const rotated = await refresh(node, String(res.body.refreshToken));
    assert.is(rotated.status, 200, JSON.stringify(rotated.body));
    assert.is(rotated.headers.get('cache-control'), 'no-store');
    assert.is(rotated.body.token_type, 'Bearer');
    assert.is.not(rotated.body.refresh_token, res.body.refreshToken);
    const newAccess = String(rotated.body.access_token);
    assert.is((await get(node, '/v1/account/profile', { token: newAccess })).status, 200);

    const out = await post(node, '/v1/logout', {}, { token: newAccess });
    assert.equal(out.body, { success: true });
    const after = await get(node, '/v1/account/profile', { token: newAccess });
    assert.is(after.status, 401);
    assert.is(after.body.code, 'AUTH.TOKEN_REVOKED');
    assert.match(after.headers.get('www-authenticate') ?? '', /^Bearer/);
    const dead = await refresh(node, String(rotated.body.refresh_token));
    assert.is(dead.status, 400);
    assert.is(dead.body.error, 'invalid_grant');
    assert.is(
      (await get(node, '/v1/account/profile', { token: access })).status,
      401,
      'the pre-refresh token too',
    );
  });

  s('reuse of a rotated refresh token revokes the whole family', async () => {
    const session = await newSession(node);
    const first = await refresh(node, session.refreshToken);
    const second = await refresh(node, String(first.body.refresh_token));
    assert.is(second.status, 200);
    await new Promise((r) => setTimeout(r, 1300));
    const reuse = await refresh(node, session.refreshToken);
    assert.is(reuse.status, 400);
    assert.is(reuse.body.error, 'invalid_grant');
    const latest = await refresh(node, String(second.body.refresh_token));
    assert.is(latest.body.error, 'invalid_grant', 'the newest token of the family is revoked too');
    const access = await get(node, '/v1/account/profile', { token: String(second.body.access_token) });
    assert.is(access.status, 401, "the family's latest access token is revoked");
  });

  s('concurrent refreshes of one token: one rotation, all get the same pair', async () => {
    const session = await newSession(node);
    const all = await Promise.all(Array.from({ length: 4 }, () => refresh(node, session.refreshToken)));
    for (const r of all) assert.is(r.status, 200, JSON.stringify(r.body));
    assert.is(new Set(all.map((r) => r.body.refresh_token)).size, 1);
    assert.is(new Set(all.map((r) => r.body.access_token)).size, 1);
    const a = all[0] as (typeof all)[number];
    const retry = await refresh(node, session.refreshToken);
    assert.is(retry.body.refresh_token, a.body.refresh_token, 'a retry within the grace window replays');
    const next = await refresh(node, String(a.body.refresh_token));
    assert.is(next.status, 200, 'the family is still alive');
  });

  s('token endpoint errors follow RFC 6749 §5.2', async () => {
    const form = (body: string) =>
      post(node, '/v1/oauth/token', undefined, {
        raw: body,
        contentType: 'application/x-www-form-urlencoded',
      });
    const missing = await form('refresh_token=x');
    assert.is(missing.status, 400);
    assert.is(missing.body.error, 'invalid_request');
    assert.match(String(missing.body.error_description), /grant_type/);
    assert.is(missing.type, 'application/json');
    assert.is((await form('grant_type=password&username=a&password=b')).body.error, 'unsupported_grant_type');
    assert.is((await form('grant_type=refresh_token')).body.error, 'invalid_request');
    assert.is((await form('grant_type=refresh_token&refresh_token=nope')).body.error, 'invalid_grant');
    const dup = await form('grant_type=refresh_token&grant_type=refresh_token&refresh_token=x');
    assert.is(dup.body.error, 'invalid_request');
    const badJson = await post(node, '/v1/oauth/token', undefined, { raw: '{"grant_type":' });
    assert.is(badJson.body.error, 'invalid_request');
    const xml = await post(node, '/v1/oauth/token', undefined, {
      raw: '<x/>',
      contentType: 'application/xml',
    });
    assert.is(xml.body.error, 'invalid_request');
    const session = await newSession(node);
    const json = await post(node, '/v1/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: session.refreshToken,
    });
    assert.is(json.status, 200, 'JSON bodies work too');
  });

  s('invitations: bound to the email, single use, join with the invited role', async () => {
    const owner = await newSession(node);
    const invitee = newUser();
    const sent = await post(
      node,
      '/v1/tenant/invitations',
      { email: invitee.email, role: 'admin' },
      { token: owner.token },
    );
    assert.is(sent.status, 201, JSON.stringify(sent.body));
    assert.type(sent.body.invitationId, 'string');
    const token = linkToken(node, invitee.email, 'invitation');
    assert.match(mailsTo(node, invitee.email).at(-1)?.text ?? '', /\/signup\?invitation=/);

    const other = { ...newUser(), password: invitee.password };
    const wrongEmail = await post(node, '/v1/account', { ...other, invitation: token });
    assert.is(wrongEmail.status, 403);
    assert.is(wrongEmail.body.code, 'ACCOUNT.INVITATION_EMAIL_MISMATCH');

    const member = await newSession(node, { token, user: invitee });
    assert.is(member.tenantId, owner.tenantId);
    assert.is(claimsOf(member.token).role, 'admin');
    const reuse = await post(node, '/v1/account', { ...newUser(), email: invitee.email, invitation: token });
    assert.is(reuse.status, 400);

    const members = await get(node, '/v1/tenant/members', { token: owner.token });
    const list = members.body.members as { userId: string; role: string; email: string; joinedAt: string }[];
    assert.equal(list.map((m) => m.role).sort(), ['admin', 'owner']);
    assert.ok(list.every((m) => m.email && !Number.isNaN(Date.parse(m.joinedAt))));
  });

  s('members only see their own tenant; the email only for self and owners/admins', async () => {
    const owner = await newSession(node);
    const stranger = await newSession(node);
    const invitee = newUser();
    await post(node, '/v1/tenant/invitations', { email: invitee.email }, { token: owner.token });
    const member = await newSession(node, {
      token: linkToken(node, invitee.email, 'invitation'),
      user: invitee,
    });

    const seen = await get(node, `/v1/user?userId=${member.userId}`, { token: owner.token });
    assert.is(seen.status, 200);
    assert.is(seen.body.email, invitee.email);
    const byName = await get(node, `/v1/user?username=${owner.user.username}`, { token: member.token });
    assert.is(byName.status, 200);
    assert.is(byName.body.email, undefined, 'a plain member does not see the owner email');

    const cross = await get(node, `/v1/user?userId=${stranger.userId}`, { token: owner.token });
    assert.is(cross.status, 404);
    const crossName = await get(node, `/v1/user?username=${stranger.user.username}`, { token: owner.token });
    assert.is(crossName.status, 404);
    assert.equal(crossName.body.code, cross.body.code);
    const unknown = await get(node, `/v1/user?userId=00000000-0000-4000-8000-000000000000`, {
      token: owner.token,
    });
    assert.equal(unknown.body.code, cross.body.code, 'another tenant looks like nobody');

    const strangerMembers = await get(node, '/v1/tenant/members', { token: stranger.token });
    const ids = (strangerMembers.body.members as { userId: string }[]).map((m) => m.userId);
    assert.equal(ids, [stranger.userId]);
    assert.is(
      (await get(node, '/v1/tenant/members', { token: member.token })).status,
      403,
      'members are not admins',
    );
    const memberInvite = await post(
      node,
      '/v1/tenant/invitations',
      { email: newUser().email },
      { token: member.token },
    );
    assert.is(memberInvite.status, 403);
  });

  s('presence and profile updates are visible to tenant members', async () => {
    const owner = await newSession(node);
    const invitee = newUser();
    await post(node, '/v1/tenant/invitations', { email: invitee.email }, { token: owner.token });
    const member = await newSession(node, {
      token: linkToken(node, invitee.email, 'invitation'),
      user: invitee,
    });
    assert.equal((await post(node, '/v1/user/status', { status: 'ONLINE' }, { token: member.token })).body, {
      success: true,
    });
    const seen = await get(node, `/v1/user?userId=${member.userId}`, { token: owner.token });
    assert.is(seen.body.status, 'ONLINE');
    const updated = await post(
      node,
      '/v1/account/profile',
      { firstName: 'Grace', settings: { theme: 'dark', emails: false } },
      { token: member.token },
    );
    assert.is(updated.status, 200);
    assert.is(updated.body.firstName, 'Grace');
    assert.is(updated.body.status, 'ONLINE');
    assert.equal(updated.body.settings, { theme: 'dark', emails: false });
    const removed = await post(
      node,
      '/v1/account/profile',
      { settings: { theme: null } },
      { token: member.token },
    );
    assert.equal(removed.body.settings, { emails: false });
  });

  s('caller fields that are not the caller answer 403', async () => {
    const a = await newSession(node);
    const b = await newSession(node);
    const cases: [string, string, Record<string, unknown>][] = [
      ['POST', '/v1/account/profile', { userId: b.userId, firstName: 'X' }],
      ['POST', '/v1/account/profile', { tenantId: b.tenantId }],
      ['POST', '/v1/user/status', { userId: b.userId, status: 'ONLINE' }],
      ['POST', '/v1/user/picture', { tenantId: b.tenantId, image: 'aGVsbG8=' }],
      ['POST', '/v1/logout', { username: b.user.username }],
      ['POST', '/v1/logout', { userId: b.userId }],
    ];
    for (const [, path, body] of cases) {
      const res = await post(node, path, body, { token: a.token });
      assert.is(res.status, 403, `${path} ${JSON.stringify(body)}`);
      assert.is(res.body.code, 'AUTH.NOT_CALLER');
    }
    const own = await post(
      node,
      '/v1/user/status',
      { userId: a.userId, tenantId: a.tenantId, status: 'OFFLINE' },
      { token: a.token },
    );
    assert.is(own.status, 200, "the caller's own ids are accepted");
  });

  s('an expired confirmation link is refused; a never-confirmed sign-up frees its names later', async () => {
    const store = node.system.adapters.store;
    const user = newUser();
    const created = await post(node, '/v1/account', user);
    const token = linkToken(node, user.email, 'token');
    const { createHash } = await import('node:crypto');
    const hash = createHash('sha256').update(token).digest('hex');
    await store.update(
      'confirmation_tokens',
      { token_hash: hash },
      { expires_at: new Date(Date.now() - 1000) },
    );
    const expired = await post(node, '/v1/account/confirm', { token });
    assert.is(expired.status, 400);
    assert.is(expired.body.code, 'ACCOUNT.CONFIRMATION_INVALID');
    const retry = await post(node, '/v1/account', { ...newUser(), username: user.username });
    assert.is(retry.status, 409, 'a recent unconfirmed sign-up still holds its username');
    const old = new Date(Date.now() - 26 * 3600 * 1000);
    await store.update('users_by_username', { username: user.username }, { claimed: old });
    await store.update('users_by_email', { email: user.email }, { claimed: old });
    const again = await post(node, '/v1/account', {
      ...newUser(),
      username: user.username,
      email: user.email,
    });
    assert.is(again.status, 201, JSON.stringify(again.body));
    assert.is.not(again.body.id, created.body.id);
  });

  s('concurrent duplicate sign-ups: exactly one 201 and one 409', async () => {
    const user = newUser();
    const results = await Promise.all([post(node, '/v1/account', user), post(node, '/v1/account', user)]);
    assert.equal(results.map((r) => r.status).sort(), [201, 409]);
    const sameEmail = newUser();
    const otherName = newUser().username;
    const pair = await Promise.all([
      post(node, '/v1/account', sameEmail),
      post(node, '/v1/account', { ...sameEmail, username: otherName }),
    ]);
    assert.equal(pair.map((r) => r.status).sort(), [201, 409]);
    const conflict = pair.find((r) => r.status === 409);
    assert.ok(
      conflict && ['ACCOUNT.EMAIL_TAKEN', 'ACCOUNT.USERNAME_TAKEN'].includes(String(conflict.body.code)),
    );
    const loser = await post(node, '/v1/account', { ...newUser(), email: sameEmail.email });
    assert.is(loser.status, 409, 'the email stays claimed');
    const loserName = pair[0]?.status === 409 ? sameEmail.username : otherName;
    const reused = await post(node, '/v1/account', { ...newUser(), username: loserName });
    assert.is(reused.status, 201, 'the losing sign-up released its username claim');
  });
  s.run();
}

export function startMain(backend: Backend, env: Env = {}): Promise<Node> {
  return startNode(
    backend,
    {
      hashing: CHEAP_HASHING,
      refreshGraceSeconds: 1,
      throttlePerAddress: { freeFailures: 100_000, windowSeconds: 60, maxLockSeconds: 60 },
      // Every suite signs up dozens of users from 127.0.0.1 (on real services, into one shared cache).
      throttleSignUpPerAddress: { limit: 100_000, windowSeconds: 60 },
    },
    env,
  );
}
