import { newUser } from './harness.ts';

/** One bad request per row: what is sent, the 4xx it gets, and the field the problem must name. */
export interface BadCase {
  readonly name: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: unknown;
  readonly raw?: string;
  readonly auth: boolean;
  readonly status: number;
  /** The field the problem must name; undefined for body-level failures (size, JSON). */
  readonly field: string | undefined;
}

const long = (n: number) => 'x'.repeat(n);
const uuid = '6f1c1f0e-2b8a-4b7e-9d7a-0a1b2c3d4e5f';

const posting =
  (path: string, auth = false) =>
  (name: string, body: unknown, field?: string, status = 400): BadCase => ({
    name: `POST ${path}: ${name}`,
    method: 'POST',
    path,
    body,
    auth,
    status,
    field,
  });
const rawPost =
  (path: string, auth = false) =>
  (name: string, raw: string, field?: string, status = 400): BadCase => ({
    name: `POST ${path}: ${name}`,
    method: 'POST',
    path,
    raw,
    auth,
    status,
    field,
  });
const getting =
  (auth: boolean) =>
  (path: string, field: string, status = 400): BadCase => ({
    name: `GET ${path}`,
    method: 'GET',
    path,
    auth,
    status,
    field,
  });

export function badCases(user = newUser()): BadCase[] {
  const u = { ...user };
  const signUp = posting('/v1/account');
  const confirm = posting('/v1/account/confirm');
  const login = posting('/v1/login');
  const logout = posting('/v1/logout', true);
  const profile = posting('/v1/account/profile', true);
  const password = posting('/v1/account/password', true);
  const status = posting('/v1/user/status', true);
  const picture = posting('/v1/user/picture', true);
  const invite = posting('/v1/tenant/invitations', true);
  const open = getting(false);
  const authed = getting(true);
  return [
    signUp('missing email', { ...u, email: undefined }, 'email'),
    signUp('bad email', { ...u, email: 'nope' }, 'email'),
    signUp('email too long', { ...u, email: `${long(45)}@x.com` }, 'email'),
    signUp('username characters', { ...u, username: 'Bad Name' }, 'username'),
    signUp('username too long', { ...u, username: long(16) }, 'username'),
    signUp('username too short', { ...u, username: 'ab' }, 'username'),
    signUp('firstName too long', { ...u, firstName: long(31) }, 'firstName'),
    signUp('firstName control characters', { ...u, firstName: 'A\u0000B' }, 'firstName'),
    signUp('lastName wrong type', { ...u, lastName: 42 }, 'lastName'),
    signUp('password too short', { ...u, password: 'short' }, 'password'),
    signUp('password too long', { ...u, password: long(129) }, 'password'),
    signUp('common password', { ...u, password: 'Metallica' }, 'password'),
    signUp('password = username', { ...u, password: u.username }, 'password'),
    signUp('unknown field', { ...u, admin: true }, 'admin'),
    signUp('malformed invitation', { ...u, invitation: 'bad token!' }, 'invitation'),
    signUp('unknown invitation', { ...u, invitation: long(43) }, 'invitation'),
    signUp('array body', [u]),
    signUp('huge body', { ...u, firstName: long(1_100_000) }, undefined, 413),
    rawPost('/v1/account')('invalid JSON', '{"firstName": ', '(body)'),
    confirm('missing token', {}, 'token'),
    confirm('unknown token', { token: long(43) }, 'token'),
    confirm('token wrong type', { token: 43 }, 'token'),
    open('/v1/account/confirm', 'query.token'),
    open('/v1/account/confirm?token=a%20b', 'query.token'),
    login('missing password', { username: 'abc' }, 'password'),
    login('username wrong type', { username: 1, password: 'x' }, 'username'),
    login('password too long', { username: 'abc', password: long(129) }, 'password'),
    login('unknown field', { username: 'a', password: 'b', otp: 1 }, 'otp'),
    logout('username wrong type', { username: 7 }, 'username'),
    logout('malformed userId', { userId: 'x' }, 'userId'),
    logout('unknown field', { everywhere: true }, 'everywhere'),
    profile('empty firstName', { firstName: '' }, 'firstName'),
    profile('lastName too long', { lastName: long(31) }, 'lastName'),
    profile('settings wrong type', { settings: 'dark' }, 'settings'),
    profile('setting value too long', { settings: { theme: long(201) } }, 'settings.theme'),
    profile('unknown field', { email: 'a@b.co' }, 'email'),
    password('new password too short', { currentPassword: 'x', newPassword: 'short' }, 'newPassword'),
    password('missing current password', { newPassword: 'long enough pass' }, 'currentPassword'),
    status('bad value', { status: 'AWAY' }, 'status'),
    status('missing status', {}, 'status'),
    picture('missing image', {}, 'image'),
    picture('not base64', { image: 'not base64!!' }, 'image'),
    picture('image wrong type', { image: 5 }, 'image'),
    invite('bad email', { email: 'x' }, 'email'),
    invite('owner role', { email: 'a@b.co', role: 'owner' }, 'role'),
    invite('unknown field', { email: 'a@b.co', tenantId: uuid }, 'tenantId'),
    rawPost('/v1/tenant/invitations', true)('invalid JSON', '[', '(body)'),
    authed('/v1/user', 'query.userId'),
    authed('/v1/user?userId=42', 'query.userId'),
    authed('/v1/user?username=A%20B', 'query.username'),
    authed(`/v1/user?userId=${uuid}&username=abc`, 'query.userId'),
    authed(`/v1/user?userId=${uuid}&x=1`, 'query.x'),
    open(`/v1/user/${uuid}/picture/x`, 'params.pictureId'),
    open(`/v1/user/nope/picture/${long(22)}`, 'params.userId'),
  ];
}
