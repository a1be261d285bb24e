import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { z } from 'zod';
import { loginBody, logoutBody, findUserQuery, signUpBody } from './api-schemas.ts';
import { canonicalUsername, usernameSchema } from './username.ts';

const s = suite('accounts: the username rule');

s('3–15 of [A-Za-z0-9_.-], trimmed, stored lower-case', () => {
  assert.is(canonicalUsername('abc'), 'abc');
  assert.is(canonicalUsername('a.b-c_1'), 'a.b-c_1');
  assert.is(canonicalUsername('  Alice\t'), 'alice');
  assert.is(canonicalUsername('ABCDEFGHIJKLMNO'), 'abcdefghijklmno');
});

s('anything else cannot be a username, and nothing throws', () => {
  const refused: unknown[] = [
    'ab',
    'x'.repeat(16),
    'a b',
    'a\uD800b',
    '\uDFFFabc',
    'nul\u0000',
    'emoji😀',
    '\u212Aate', // the Kelvin sign, which Unicode lower-cases to an ASCII k
    'café',
    'a'.repeat(10_000),
    '',
    '   ',
    'a/b',
    1,
    null,
    undefined,
    true,
    {},
    ['abc'],
  ];
  for (const value of refused) assert.is(canonicalUsername(value), undefined, JSON.stringify(value));
});

s('every endpoint schema that takes a username uses the one rule', () => {
  const user = { firstName: 'A', lastName: 'B', email: 'a@b.co', password: 'long enough pw' };
  const paths = (result: { success: boolean; error?: z.ZodError }) =>
    result.error?.issues.map((i) => i.path.join('.')) ?? [];
  for (const bad of ['a\uD800b', 'Bad Name', 'x'.repeat(10_000), 'ab']) {
    assert.equal(
      paths(signUpBody.safeParse({ ...user, username: bad })),
      ['username'],
      `sign-up ${bad.slice(0, 20)}`,
    );
    assert.equal(paths(loginBody.safeParse({ username: bad, password: 'x' })), ['username'], 'login');
    assert.equal(paths(logoutBody.safeParse({ username: bad })), ['username'], 'logout');
    assert.ok(paths(findUserQuery.safeParse({ username: bad })).includes('username'), 'user lookup');
  }
  assert.is(loginBody.parse({ username: ' Ada.L ', password: 'x' }).username, 'ada.l');
  assert.is(findUserQuery.parse({ username: 'ADA' }).username, 'ada');
  assert.is(logoutBody.parse({ username: 'Ada' }).username, 'ada');
  assert.is(signUpBody.parse({ ...user, username: 'Ada' }).username, 'ada');
  assert.is(usernameSchema.safeParse('ok_name').success, true);
});

s.run();
