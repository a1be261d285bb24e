/**
 * Seeds the rooms benchmark through the real HTTP endpoints: per room an owner who signs up, invites four
 * members, and schedules a dojo with them. Confirmation and invitation links are read from the server's
 * embedded outbox, indexed once per phase (a scan per user would be quadratic in the number of mails).
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface BenchUser {
  readonly userId: string;
  readonly token: string;
}

export interface BenchRoom {
  readonly dojoId: string;
  /** The owner first: they join first, so they pilot. */
  readonly users: readonly BenchUser[];
}

/** Runs `fn` over `items`, `concurrency` at a time. */
export async function pool<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, i: number) => Promise<R>,
) {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i] as T, i);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return out;
}

async function post(
  url: string,
  route: string,
  body: unknown,
  token?: string,
): Promise<Record<string, unknown>> {
  const res = await fetch(url + route, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status >= 300) throw new Error(`${route} ${res.status}: ${JSON.stringify(json).slice(0, 200)}`);
  return json;
}

/** email → the link tokens mailed to it, newest last. */
class Outbox {
  readonly #dir: string;
  readonly #seen = new Set<string>();
  readonly #links = new Map<string, { token?: string; invitation?: string }>();

  constructor(dataDir: string) {
    this.#dir = path.join(dataDir, 'outbox');
  }

  link(email: string, param: 'token' | 'invitation'): string {
    let value = this.#links.get(email)?.[param];
    if (!value) {
      this.#scan();
      value = this.#links.get(email)?.[param];
    }
    if (!value) throw new Error(`no ${param} mailed to ${email}`);
    return value;
  }

  #scan(): void {
    for (const file of readdirSync(this.#dir).sort()) {
      if (this.#seen.has(file) || !file.endsWith('.eml')) continue;
      this.#seen.add(file);
      const raw = readFileSync(path.join(this.#dir, file), 'utf8');
      const to = /^To: .*?([^\s<>]+@[^\s<>]+)/im.exec(raw)?.[1];
      const text = raw
        .replace(/=\r?\n/g, '')
        .replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
      if (!to) continue;
      const entry = this.#links.get(to) ?? {};
      const token = /[?&]token=([A-Za-z0-9_-]+)/.exec(text)?.[1];
      const invitation = /[?&]invitation=([A-Za-z0-9_-]+)/.exec(text)?.[1];
      if (token) entry.token = token;
      if (invitation) entry.invitation = invitation;
      this.#links.set(to, entry);
    }
  }
}

/** `rooms` dojos of five members each, every user logged in. */
export async function seedRooms(url: string, dataDir: string, rooms: number): Promise<BenchRoom[]> {
  const run = randomBytes(2).toString('hex');
  const password = `Bench-${randomBytes(9).toString('base64url')}`;
  const outbox = new Outbox(dataDir);
  const username = (room: number, seat: number) => `b${run}${room}x${seat}`;
  const email = (room: number, seat: number) => `${username(room, seat)}@bench.test`;
  const signUp = async (room: number, seat: number, invitation?: string) => {
    await post(url, '/v1/account', {
      firstName: 'Bench',
      lastName: `R${room}S${seat}`,
      email: email(room, seat),
      username: username(room, seat),
      password,
      ...(invitation ? { invitation } : {}),
    });
  };
  const confirmAndLogin = async (room: number, seat: number): Promise<BenchUser> => {
    await post(url, '/v1/account/confirm', { token: outbox.link(email(room, seat), 'token') });
    const login = await post(url, '/v1/login', { username: username(room, seat), password });
    return { userId: String(login.userId), token: String(login.token) };
  };
  const indexes = Array.from({ length: rooms }, (_, i) => i);
  await pool(indexes, 16, (r) => signUp(r, 0));
  const owners = await pool(indexes, 16, (r) => confirmAndLogin(r, 0));
  const seats = indexes.flatMap((r) => [1, 2, 3, 4].map((s) => [r, s] as const));
  await pool(seats, 16, ([r, s]) =>
    post(url, '/v1/tenant/invitations', { email: email(r, s) }, owners[r]?.token),
  );
  await pool(seats, 16, ([r, s]) => signUp(r, s, outbox.link(email(r, s), 'invitation')));
  const members = await pool(seats, 16, ([r, s]) => confirmAndLogin(r, s));
  return pool(indexes, 16, async (r) => {
    const owner = owners[r] as BenchUser;
    const team = members.slice(r * 4, r * 4 + 4);
    const made = await post(
      url,
      '/v1/dojo/create',
      { dojoDate: new Date().toISOString(), members: team.map((m) => m.userId), subject: `Bench ${r}` },
      owner.token,
    );
    return { dojoId: String(made.dojoId), users: [owner, ...team] };
  });
}
