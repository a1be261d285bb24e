import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { importJWK, SignJWT, type CryptoKey, type JWK } from 'jose';
import { loadConfig, type Env } from '../../config/index.ts';
import type { AccountsAdmin, Auth } from '../../server/capabilities.ts';
import { createAccountsModule } from '../../server/modules/accounts/index.ts';
import type { AccountsOptionsInput } from '../../server/modules/accounts/options.ts';
import { dropKeyspace, uniqueName } from '../support/services.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

/** Where the systems of one suite keep their state: embedded (each node alone) or shared real services. */
export interface Backend {
  readonly label: string;
  /** Nodes started on this backend share their store, cache and bus (real services only). */
  readonly shared: boolean;
  env(overrides?: Env): Env;
  cleanup(): Promise<void>;
}

const LOCAL_ONLY: Env = {
  SMTP_URL: undefined,
  KAFKA_BROKERS: undefined,
  S3_ENDPOINT: undefined,
  POSTGRES_URL: undefined,
};

export function embeddedBackend(): Backend {
  return {
    label: 'embedded',
    shared: false,
    env: (overrides = {}) => ({
      ...LOCAL_ONLY,
      CASSANDRA_CONTACT_POINTS: undefined,
      REDIS_URL: undefined,
      ...overrides,
    }),
    cleanup: async () => {},
  };
}

/** Real Cassandra and Redis under a keyspace and key prefix of this run only, dropped afterwards. */
export function realBackend(base: Env): Backend {
  const keyspace = uniqueName('accounts_test');
  const prefix = `${uniqueName('accounts')}:`;
  const config = loadConfig({ ...base, ...LOCAL_ONLY });
  const prefixes = new Set([prefix]);
  return {
    label: 'cassandra + redis',
    shared: true,
    env: (overrides = {}) => {
      if (overrides.REDIS_KEY_PREFIX) prefixes.add(overrides.REDIS_KEY_PREFIX);
      return { ...base, ...LOCAL_ONLY, CASSANDRA_KEYSPACE: keyspace, REDIS_KEY_PREFIX: prefix, ...overrides };
    },
    cleanup: async () => {
      const c = config.cassandra;
      if (c) {
        await dropKeyspace(c, keyspace);
      }
      if (config.redis) {
        const redis = new Redis(config.redis.url, { lazyConnect: true });
        try {
          await redis.connect();
          for (const p of prefixes) {
            const keys = await redis.keys(`${p}*`);
            if (keys.length) await redis.del(...keys);
          }
        } finally {
          redis.disconnect();
        }
      }
    },
  };
}

export const CHEAP_HASHING = { N: 2 ** 10, r: 8, p: 1, keyLength: 32 } as const;

export interface Node {
  readonly system: TestSystem;
  readonly url: string;
  /** The operators' actions the accounts module provides. */
  admin(): AccountsAdmin;
  /** The token verifier the accounts module provides the other modules. */
  auth(): Auth;
  stop(): Promise<void>;
}

export async function startNode(
  backend: Backend,
  options: AccountsOptionsInput,
  env: Env = {},
): Promise<Node> {
  const module = createAccountsModule(options);
  const system = await startTestSystem({ env: backend.env(env), modules: [module] });
  const provided = <T>(value: T | undefined): T => {
    if (!value) throw new Error('the accounts module did not start');
    return value;
  };
  return {
    system,
    url: system.url,
    admin: () => provided(system.capabilities.accountsAdmin),
    auth: () => provided(system.capabilities.auth),
    stop: () => system.cleanup(),
  };
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
  readonly type: string;
}

async function answer(res: Response): Promise<Answer> {
  const text = await res.text();
  let body: Record<string, unknown>;
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    body = { text };
  }
  return {
    status: res.status,
    headers: res.headers,
    body,
    type: (res.headers.get('content-type') ?? '').split(';')[0] ?? '',
  };
}

export interface RequestOptions {
  readonly token?: string;
  readonly raw?: string;
  readonly contentType?: string;
  readonly headers?: Record<string, string>;
}

export async function call(
  node: Node,
  method: string,
  url: string,
  body?: unknown,
  o: RequestOptions = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  let payload: string | undefined;
  if (o.raw !== undefined) payload = o.raw;
  else if (body !== undefined) payload = JSON.stringify(body);
  if (payload !== undefined) headers['content-type'] = o.contentType ?? 'application/json';
  const res = await fetch(node.url + url, { method, headers, body: payload, redirect: 'manual' });
  return answer(res);
}

export const post = (node: Node, url: string, body: unknown, o: RequestOptions = {}) =>
  call(node, 'POST', url, body, o);
export const get = (node: Node, url: string, o: RequestOptions = {}) => call(node, 'GET', url, undefined, o);

/** The plain-text body of every mail the node's outbox holds for `to`, oldest first. */
export function mailsTo(node: Node, to: string): { subject: string; text: string }[] {
  const dir = path.join(node.system.dataDir, 'outbox');
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith('.eml'))
      .sort();
  } catch {
    return [];
  }
  return files.flatMap((file) => {
    const raw = readFileSync(path.join(dir, file), 'utf8');
    const [head = '', ...rest] = raw.split('\n\n');
    let text = rest.join('\n\n');
    if (/content-transfer-encoding: quoted-printable/i.test(head)) {
      text = text
        .replace(/=\r?\n/g, '')
        .replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
    }
    const toLine = /^To: (.*)$/im.exec(head)?.[1] ?? '';
    const subject = /^Subject: (.*)$/im.exec(head)?.[1] ?? '';
    return toLine.includes(to) ? [{ subject, text }] : [];
  });
}

export function linkToken(node: Node, to: string, param: 'token' | 'invitation'): string {
  const mails = mailsTo(node, to);
  const last = mails.at(-1);
  const token = last ? new RegExp(`[?&]${param}=([A-Za-z0-9_-]+)`).exec(last.text)?.[1] : undefined;
  if (!token) throw new Error(`no ${param} link mailed to ${to}`);
  return token;
}

export interface TestUser {
  readonly username: string;
  readonly email: string;
  readonly password: string;
  readonly firstName: string;
  readonly lastName: string;
}

export function newUser(): TestUser {
  const username = `u${randomBytes(6).toString('hex')}`.slice(0, 13);
  return {
    username,
    email: `${username}@example.com`,
    password: `pw-${randomBytes(9).toString('base64url')}`,
    firstName: 'Ada',
    lastName: 'Byron',
  };
}

export interface Session {
  readonly user: TestUser;
  readonly userId: string;
  readonly tenantId: string;
  readonly token: string;
  readonly refreshToken: string;
}

export async function signUpAndConfirm(node: Node, user = newUser(), invitation?: string): Promise<string> {
  const created = await post(node, '/v1/account', { ...user, ...(invitation ? { invitation } : {}) });
  if (created.status !== 201) throw new Error(`sign-up ${created.status}: ${JSON.stringify(created.body)}`);
  const confirmed = await post(node, '/v1/account/confirm', { token: linkToken(node, user.email, 'token') });
  if (confirmed.status !== 200)
    throw new Error(`confirm ${confirmed.status}: ${JSON.stringify(confirmed.body)}`);
  return String(created.body.id);
}

export async function login(node: Node, user: TestUser): Promise<Session> {
  const res = await post(node, '/v1/login', { username: user.username, password: user.password });
  if (res.status !== 200) throw new Error(`login ${res.status}: ${JSON.stringify(res.body)}`);
  return {
    user,
    userId: String(res.body.userId),
    tenantId: String(res.body.tenantId),
    token: String(res.body.token),
    refreshToken: String(res.body.refreshToken),
  };
}

export async function newSession(
  node: Node,
  invitation?: { token: string; user: TestUser },
): Promise<Session> {
  const user = invitation?.user ?? newUser();
  await signUpAndConfirm(node, user, invitation?.token);
  return login(node, user);
}

export const refresh = (node: Node, refreshToken: string) =>
  call(node, 'POST', '/v1/oauth/token', undefined, {
    raw: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
    contentType: 'application/x-www-form-urlencoded',
  });

/** The node's current signing key, read from the store as any node would: to forge tokens in tests. */
export async function currentSigningKey(
  node: Node,
): Promise<{ kid: string; key: CryptoKey; publicJwk: JWK }> {
  const store = node.system.adapters.store;
  const pointer = await store.get('signing_key_current', { ring: 'access' });
  const row = await store.get('signing_keys', { ring: 'access', kid: String(pointer?.kid) });
  if (!row) throw new Error('no signing key');
  const key = (await importJWK(JSON.parse(String(row.private_jwk)) as JWK, 'ES256')) as CryptoKey;
  return { kid: String(row.kid), key, publicJwk: JSON.parse(String(row.public_jwk)) as JWK };
}

export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

export function headerOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

/** Re-signs a real token's claims with changes, using the node's own key unless told otherwise. */
export async function forge(
  node: Node,
  from: string,
  changes: {
    claims?: Record<string, unknown>;
    header?: Record<string, unknown>;
    key?: CryptoKey | Uint8Array;
  },
): Promise<string> {
  const signing = await currentSigningKey(node);
  const header = { alg: 'ES256', kid: signing.kid, typ: 'at+jwt', ...changes.header };
  return new SignJWT({ ...claimsOf(from), ...changes.claims })
    .setProtectedHeader(header as { alg: string })
    .sign(changes.key ?? signing.key);
}

export const unsigned = (header: Record<string, unknown>, claims: Record<string, unknown>) =>
  `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
