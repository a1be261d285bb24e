import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Signing up through the real accounts endpoints, for suites that need authenticated callers: create the
 * account, read the confirmation link from the mail (the embedded outbox `<dataDir>/outbox/*.eml`, or the
 * SMTP sink's directory when the system has SMTP_URL), confirm, log in.
 */
export interface SystemUnderTest {
  readonly url: string;
  readonly dataDir: string;
}

export interface SignUpOverrides {
  readonly username?: string;
  readonly email?: string;
  readonly password?: string;
  readonly firstName?: string;
  readonly lastName?: string;
  /** Join an existing tenant: the access token of one of its owners or admins, who invites the new user. */
  readonly invitedBy?: string;
}

export interface LoggedIn {
  readonly token: string;
  readonly userId: string;
  readonly tenantId: string;
  readonly username: string;
}

async function postJson(
  system: SystemUnderTest,
  route: string,
  body: unknown,
  token?: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(system.url + route, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

function decodeQuotedPrintable(text: string): string {
  return text
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function findToken(dir: string, to: string, param: 'token' | 'invitation'): string | undefined {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.eml'));
  } catch {
    return undefined;
  }
  const recipient = new RegExp(`^To: .*${to.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'im');
  for (const file of files.sort().reverse()) {
    const raw = readFileSync(path.join(dir, file), 'utf8');
    const split = raw.search(/\r?\n\r?\n/);
    const head = raw.slice(0, split);
    if (!recipient.test(head)) continue;
    let text = raw.slice(split);
    if (/content-transfer-encoding: quoted-printable/i.test(head)) text = decodeQuotedPrintable(text);
    const token = new RegExp(`[?&]${param}=([A-Za-z0-9_-]+)`).exec(text)?.[1];
    if (token) return token;
  }
  return undefined;
}

/**
 * The value of `param` in the link of the newest mail to `to`: from the system's outbox, or from the SMTP
 * sink's directory (SMTP_SINK_DIR) when the system sends real mail. Waits a little for the mail to land.
 */
export async function tokenFromOutbox(
  system: SystemUnderTest,
  to: string,
  param: 'token' | 'invitation',
  timeoutMs = 10_000,
): Promise<string> {
  const dirs = [
    path.join(system.dataDir, 'outbox'),
    ...(process.env.SMTP_SINK_DIR ? [process.env.SMTP_SINK_DIR] : []),
  ];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const dir of dirs) {
      const token = findToken(dir, to, param);
      if (token) return token;
    }
    if (Date.now() > deadline)
      throw new Error(`no mail with a ${param} link to ${to} in ${dirs.join(' or ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** An account signed up (through an invitation when `invitedBy` is given) but not confirmed yet. */
export interface SignedUp {
  readonly username: string;
  readonly email: string;
  readonly password: string;
  /** The token of the mailed confirmation link. */
  readonly confirmation: string;
}

export async function signUp(system: SystemUnderTest, overrides: SignUpOverrides = {}): Promise<SignedUp> {
  const username = overrides.username ?? `u${randomBytes(6).toString('hex')}`.slice(0, 13);
  const email = overrides.email ?? `${username}@example.com`;
  const password = overrides.password ?? `pw-${randomBytes(12).toString('base64url')}`;
  let invitation: string | undefined;
  if (overrides.invitedBy) {
    const invited = await postJson(system, '/v1/tenant/invitations', { email }, overrides.invitedBy);
    if (invited.status !== 201)
      throw new Error(`invitation ${invited.status}: ${JSON.stringify(invited.body)}`);
    invitation = await tokenFromOutbox(system, email, 'invitation');
  }
  const created = await postJson(system, '/v1/account', {
    firstName: overrides.firstName ?? 'Ada',
    lastName: overrides.lastName ?? 'Lovelace',
    email,
    username,
    password,
    ...(invitation ? { invitation } : {}),
  });
  if (created.status !== 201) throw new Error(`sign-up ${created.status}: ${JSON.stringify(created.body)}`);
  return { username, email, password, confirmation: await tokenFromOutbox(system, email, 'token') };
}

/** POST /v1/account/confirm with the account's token: its status and problem body, as answered. */
export function confirmAccount(
  system: SystemUnderTest,
  account: SignedUp,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return postJson(system, '/v1/account/confirm', { token: account.confirmation });
}

export async function signUpAndLogin(
  system: SystemUnderTest,
  overrides: SignUpOverrides = {},
): Promise<LoggedIn> {
  const account = await signUp(system, overrides);
  const confirmed = await confirmAccount(system, account);
  if (confirmed.status !== 200)
    throw new Error(`confirm ${confirmed.status}: ${JSON.stringify(confirmed.body)}`);
  const { username, password } = account;
  const login = await postJson(system, '/v1/login', { username, password });
  if (login.status !== 200) throw new Error(`login ${login.status}: ${JSON.stringify(login.body)}`);
  return {
    token: String(login.body.token),
    userId: String(login.body.userId),
    tenantId: String(login.body.tenantId),
    username,
  };
}
