import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { uniqueName } from '../support/services.ts';
import { startMain } from './flow.suite.ts';
import {
  call,
  CHEAP_HASHING,
  get,
  linkToken,
  login,
  newSession,
  newUser,
  post,
  startNode,
  type Answer,
  type Backend,
  type Node,
  type Session,
} from './harness.ts';

/** Strings and values no handler may answer with a 5xx, whatever field they land in. */
const NASTY: readonly [string, unknown][] = [
  ['lone high surrogate', 'a\uD800b'],
  ['lone low surrogate', '\uDFFFabc'],
  ['surrogates reversed', 'ab\uDC00\uD800'],
  ['NUL', 'ab\u0000cd'],
  ['emoji', 'ada😀🎉'],
  ['RTL override', 'ada\u202Egnp.exe'],
  ['10 KB', 'x'.repeat(10 * 1024)],
  ['10 KB of surrogates', '\uD800'.repeat(5 * 1024)],
  ['empty', ''],
  ['number', 42],
  ['negative zero', -0],
  ['boolean', true],
  ['null', null],
  ['object', { $ne: '' }],
  ['array', ['ada']],
];

/** Values of the list that are fine in that field (the sign-up may succeed). */
const LEGITIMATE = new Set(['firstName: emoji', 'lastName: emoji', 'password: RTL override']);

/** Percent-encodings a query string may carry (invalid UTF-8 among them). */
const NASTY_QUERIES: readonly string[] = [
  '%ED%A0%80', // a UTF-16 surrogate encoded as UTF-8 (invalid)
  '%FF%FE',
  '%',
  '%E0%A4%A',
  '%00abc',
  '%F0%9F%98%80abc',
  'x'.repeat(10 * 1024),
  'abc&username=def',
  'a%2Fb',
];

function assertProblem(res: Answer, what: string): void {
  assert.ok(
    res.status >= 400 && res.status < 500,
    `${what}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`,
  );
  assert.is(res.type, 'application/problem+json', what);
  assert.type(res.body.code, 'string', what);
}

const fieldsOf = (res: Answer) => ((res.body.errors ?? []) as { path: string }[]).map((e) => e.path);

/**
 * Input that no username can hold, password hashing under a burst, and the sign-up budget per address:
 * never a 5xx the client did not earn, always problem+json, and 503 / 429 with Retry-After when refused.
 */
export function hardeningSuite(backend: Backend): void {
  const s = suite(`accounts hardening (${backend.label})`);
  let node: Node;
  let owner: Session;
  s.before(async () => {
    node = await startMain(backend);
    owner = await newSession(node);
  });
  s.after(() => node.stop());

  s('login with a lone surrogate in the username is a 400 naming username (it was a 500)', async () => {
    const res = await post(node, '/v1/login', { username: 'a\uD800b', password: 'whatever-it-is' });
    assert.is(res.status, 400, JSON.stringify(res.body));
    assert.is(res.type, 'application/problem+json');
    assert.equal(fieldsOf(res), ['username']);
  });

  s('sign-up, login, user lookup, logout, password change: no value in any field is a 5xx', async () => {
    const token = owner.token;
    /** Any answer but a 5xx; a refusal is problem+json. */
    const acceptable = (res: Answer, what: string) => {
      if (res.status < 300) return;
      assertProblem(res, what);
    };
    for (const [label, value] of NASTY) {
      for (const field of ['username', 'password', 'email', 'firstName', 'lastName', 'invitation']) {
        const res = await post(node, '/v1/account', { ...newUser(), [field]: value });
        acceptable(res, `sign-up ${field} = ${label}`);
        // Of the list, only emoji names and a password with an RTL override are acceptable.
        if (!LEGITIMATE.has(`${field}: ${label}`)) {
          assertProblem(res, `sign-up ${field} = ${label}`);
          assert.ok(fieldsOf(res).includes(field), `sign-up ${field} = ${label}: ${fieldsOf(res).join()}`);
        }
      }
      for (const field of ['username', 'password']) {
        const res = await post(node, '/v1/login', {
          username: 'nobody-here',
          password: 'pw-x',
          [field]: value,
        });
        assertProblem(res, `login ${field} = ${label}`);
        // Any string is a password that can be wrong (the 401 of an unknown user); a bad username is a 400.
        if (field === 'username') {
          assert.is(res.status, 400, `login username = ${label}`);
          const named = fieldsOf(res);
          assert.ok(named.length && named.every((f) => f === 'username'), `login username = ${label}`);
        }
      }
      // Refused by the schema before the handler runs, so the owner's session is not ended.
      const logout = await post(node, '/v1/logout', { username: value }, { token });
      assertProblem(logout, `logout username = ${label}`);
      assert.ok(fieldsOf(logout).includes('username'), `logout username = ${label}`);
      const change = await post(
        node,
        '/v1/account/password',
        { currentPassword: value, newPassword: value },
        { token },
      );
      assertProblem(change, `password change = ${label}`);
      if (typeof value === 'string') {
        const query = encodeURIComponent(value.toWellFormed());
        const lookup = await get(node, `/v1/user?username=${query}`, { token });
        // Over Node's 16 KiB limit on the request head, node:http itself answers 431 (without a body).
        if (query.length > 16 * 1024) assert.is(lookup.status, 431, `GET /v1/user?username= ${label}`);
        else assertProblem(lookup, `GET /v1/user?username= ${label}`);
      }
    }
    for (const q of NASTY_QUERIES) {
      const res = await get(node, `/v1/user?username=${q}`, { token });
      assertProblem(res, `GET /v1/user?username=${q.slice(0, 30)}`);
    }
    const still = await get(node, '/v1/account/profile', { token });
    assert.is(still.status, 200, 'the session survived the barrage');
  });

  s('raw JSON bodies with escaped surrogates, NUL and deep nesting are refused as problems', async () => {
    const bodies = [
      '{"username":"a\\ud800b","password":"pw-1234567"}',
      '{"username":"\\udfff\\ud800","password":"\\ud800"}',
      '{"username":"ab\\u0000c","password":"pw-1234567"}',
      `{"username":${'['.repeat(5000)}${']'.repeat(5000)},"password":"x"}`,
      '{"username":"abc","password":"pw","__proto__":{"admin":true}}',
    ];
    for (const raw of bodies) {
      assertProblem(await call(node, 'POST', '/v1/login', undefined, { raw }), `login ${raw.slice(0, 40)}`);
      assertProblem(
        await call(node, 'POST', '/v1/account', undefined, { raw }),
        `sign-up ${raw.slice(0, 40)}`,
      );
    }
  });

  s('usernames are case-insensitive and trimmed everywhere: sign-up, login, lookup, logout', async () => {
    const user = { ...newUser(), username: `  Mixed${Date.now().toString(36).slice(-6)} ` };
    const canonical = user.username.trim().toLowerCase();
    const created = await post(node, '/v1/account', user);
    assert.is(created.status, 201, JSON.stringify(created.body));
    const confirmed = await post(node, '/v1/account/confirm', {
      token: linkToken(node, user.email, 'token'),
    });
    assert.is(confirmed.status, 200);
    const again = await post(node, '/v1/account', { ...newUser(), username: canonical.toUpperCase() });
    assert.is(again.status, 409, 'the same username in another case is taken');
    const session = await login(node, { ...user, username: canonical.toUpperCase() });
    const profile = await get(node, '/v1/account/profile', { token: session.token });
    assert.is(profile.body.username, canonical, 'stored lower-case');
    const found = await get(node, `/v1/user?username=${canonical.toUpperCase()}`, { token: session.token });
    assert.is(found.status, 200);
    assert.is(found.body.username, canonical);
    const out = await post(
      node,
      '/v1/logout',
      { username: ` ${canonical.toUpperCase()}` },
      { token: session.token },
    );
    assert.is(out.status, 200, JSON.stringify(out.body));
  });

  s(
    'hashing burst: beyond threads + queue a sign-up gets 503 + Retry-After, the rest succeed and verify',
    async () => {
      // One thread, two waiting, and hashing slow enough (~100 ms) that the whole burst arrives while it works.
      const busy = await startNode(
        backend,
        {
          hashing: { N: 2 ** 15, r: 8, p: 1, keyLength: 32 },
          hashingThreads: 1,
          hashingQueue: 2,
          throttleSignUpPerAddress: { limit: 1000, windowSeconds: 60 },
        },
        { REDIS_KEY_PREFIX: `${uniqueName('accounts_busy')}:` },
      );
      try {
        // The dummy hash made at boot would otherwise take a place in the burst.
        await post(busy, '/v1/login', { username: 'warm-up', password: 'warm-up-pw' });
        const users = Array.from({ length: 12 }, () => newUser());
        const answers = await Promise.all(users.map((u) => post(busy, '/v1/account', u)));
        const created = answers.filter((a) => a.status === 201);
        const refused = answers.filter((a) => a.status === 503);
        assert.is(created.length + refused.length, users.length, answers.map((a) => a.status).join());
        assert.ok(created.length >= 3, `one running and two waiting get through (${created.length})`);
        assert.ok(refused.length >= 1, 'the excess is refused');
        for (const r of refused) {
          assert.is(r.type, 'application/problem+json');
          assert.is(r.body.code, 'ACCOUNT.BUSY');
          const retryAfter = Number(r.headers.get('retry-after'));
          assert.ok(retryAfter >= 1 && retryAfter <= 30, `Retry-After ${r.headers.get('retry-after')}`);
        }
        const index = answers.findIndex((a) => a.status === 201);
        const first = users[index];
        assert.ok(first);
        assert.is(
          (await post(busy, '/v1/account/confirm', { token: linkToken(busy, first.email, 'token') })).status,
          200,
        );
        const session = await login(busy, first);
        assert.type(session.token, 'string', 'a hash made during the burst verifies');
        const late = users[answers.findIndex((a) => a.status === 503)];
        assert.ok(late);
        assert.is(
          (await post(busy, '/v1/account', late)).status,
          201,
          'a refused sign-up succeeds when retried',
        );
      } finally {
        await busy.stop();
      }
    },
  );

  s('sign-ups are throttled per client address: 429 + Retry-After beyond the budget', async () => {
    const limited = await startNode(
      backend,
      { hashing: CHEAP_HASHING, throttleSignUpPerAddress: { limit: 3, windowSeconds: 120 } },
      { REDIS_KEY_PREFIX: `${uniqueName('accounts_signups')}:` },
    );
    try {
      const first = newUser();
      assert.is((await post(limited, '/v1/account', first)).status, 201);
      const taken = await post(limited, '/v1/account', { ...newUser(), username: first.username });
      assert.is(taken.status, 409, 'a conflict is an attempt too (it tells a taken name)');
      const weak = await post(limited, '/v1/account', { ...newUser(), password: 'password' });
      assert.is(weak.status, 400);
      const malformed = await post(limited, '/v1/account', { ...newUser(), email: 'nope' });
      assert.is(malformed.status, 400, 'an invalid body is refused before the throttle and costs nothing');
      const over = await post(limited, '/v1/account', newUser());
      assert.is(over.status, 429, JSON.stringify(over.body));
      assert.is(over.type, 'application/problem+json');
      assert.is(over.body.code, 'ACCOUNT.TOO_MANY_SIGN_UPS');
      const retryAfter = Number(over.headers.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 120, `Retry-After ${over.headers.get('retry-after')}`);
      const spoofed = await post(limited, '/v1/account', newUser(), {
        headers: { 'x-forwarded-for': '203.0.113.7' },
      });
      assert.is(spoofed.status, 429, 'X-Forwarded-For is not trusted by default (TRUST_PROXY=0)');
      await post(limited, '/v1/account/confirm', { token: linkToken(limited, first.email, 'token') });
      assert.type((await login(limited, first)).token, 'string', 'logins from the address go on');
      const burst = await Promise.all(
        Array.from({ length: 5 }, () => post(limited, '/v1/account', newUser())),
      );
      assert.ok(
        burst.every((r) => r.status === 429),
        burst.map((r) => r.status).join(),
      );
    } finally {
      await limited.stop();
    }
  });

  s('a concurrent sign-up burst from one address gets exactly the budget through', async () => {
    const limited = await startNode(
      backend,
      { hashing: CHEAP_HASHING, throttleSignUpPerAddress: { limit: 4, windowSeconds: 60 } },
      { REDIS_KEY_PREFIX: `${uniqueName('accounts_burst')}:` },
    );
    try {
      const answers = await Promise.all(
        Array.from({ length: 12 }, () => post(limited, '/v1/account', newUser())),
      );
      assert.equal(answers.map((a) => a.status).sort(), [...Array(4).fill(201), ...Array(8).fill(429)]);
    } finally {
      await limited.stop();
    }
  });

  s.run();
}
