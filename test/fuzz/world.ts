/**
 * The fuzz suite's world: the embedded system, two tenants with real resources, the secrets the generators
 * may use, the marker strings of each tenant (whose presence in an answer to the other tenant is a leak), and
 * how a case's Refs resolve for each way of sending it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createCanvas } from '@napi-rs/canvas';
import { MODULES } from '../../server/modules-list.ts';
import { createAccountsModule } from '../../server/modules/accounts/index.ts';
import type { AccountsOptionsInput } from '../../server/modules/accounts/options.ts';
import { DojosRepo } from '../../server/modules/dojos/repo.ts';
import { CHEAP_HASHING } from '../accounts/harness.ts';
import { signUpAndLogin, tokenFromOutbox } from '../support/accounts.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';
import { applyTwist, TWIN_KINDS, type Ref } from './model.ts';

/**
 * Throttles that never trigger: every request of the suite comes from 127.0.0.1 and the fuzzer fails logins
 * with the suite's own usernames on purpose; with the production rules the suite's own logins (fresh
 * sessions for logout, re-logins after a password change) would be locked out after a few runs. Hashing is
 * cheap and its queue long, as sign-ups and logins are fuzzed by the thousand. Options this version of the
 * accounts module does not know are ignored by it.
 */
const ACCOUNTS_OPTIONS = {
  hashing: CHEAP_HASHING,
  hashingQueue: 10_000,
  throttlePerAccount: { freeFailures: 1_000_000_000, windowSeconds: 1, maxLockSeconds: 1 },
  throttlePerAddress: { freeFailures: 1_000_000_000, windowSeconds: 1, maxLockSeconds: 1 },
  throttleSignUpPerAddress: { limit: 1_000_000_000, windowSeconds: 1 },
} as AccountsOptionsInput;

export interface Account {
  readonly label: string;
  readonly username: string;
  readonly email: string;
  password: string;
  readonly userId: string;
  readonly tenantId: string;
  token: string;
}

export type Mode = 'none' | 'right' | 'garbage' | 'cross' | 'twin';

interface ApiAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** What a variant needs to resolve Refs: who calls, and whether the request may change what it names. */
export interface ResolveContext {
  readonly mode: Mode;
  /** The account whose token the request carries (right and cross modes). */
  readonly caller: Account | undefined;
  /** Non-GET requests of tenant A act on expendable resources, never on the ones the integrity check watches. */
  readonly mutating: boolean;
}

export class World {
  readonly system: TestSystem;
  readonly base: URL;
  readonly ownerA: Account;
  readonly memberA: Account;
  /** Tenant A's account for POST /v1/account/password (its sessions end when the change succeeds). */
  readonly pwA: Account;
  /** Tenant A's account whose refresh tokens POST /v1/oauth/token rotates and replays. */
  readonly refreshA: Account;
  readonly ownerB: Account;
  readonly pwB: Account;
  /** Per account: POCs that only reads touch (watched), and expendable ones for PATCH, DELETE, favourites. */
  readonly pocs = new Map<string, { watched: string[]; fodder: string[] }>();
  readonly dojosA: string[] = [];
  dojoB = '';
  readonly messagesA: string[] = [];
  /** Expendable chat messages of tenant A (removed by POST /v1/user/messages, then written again). */
  readonly fodderMessages: { id: string; author: Account }[] = [];
  /** Notification ids per account; refreshA's are watched (no request of tenant A's ever acts as refreshA). */
  readonly notifications = new Map<string, string[]>();
  readonly cursors = new Map<string, string>();
  readonly pictureIds = new Map<string, string>();
  readonly refreshTokens: string[] = [];
  readonly confirmTokens: string[] = [];
  invitationToken = '';
  readonly images: string[] = [];
  /** Strings only tenant A's data contains (ids, usernames, emails, names, chat texts). */
  readonly markersA = new Set<string>();
  readonly markersB = new Set<string>();
  /** Every user and tenant id (GET /metrics must carry none of them). */
  readonly tenantAndUserIds = new Set<string>();
  /** Tenant A's watched resources as first read, for the integrity check at the end. */
  readonly snapshots = new Map<string, string>();
  readonly repo: DojosRepo;
  /** What the run noticed without failing on it (printed at the end). */
  readonly notes: string[] = [];

  private constructor(system: TestSystem, accounts: Record<string, Account>) {
    this.system = system;
    this.base = new URL(system.url);
    this.ownerA = accounts.ownerA as Account;
    this.memberA = accounts.memberA as Account;
    this.pwA = accounts.pwA as Account;
    this.refreshA = accounts.refreshA as Account;
    this.ownerB = accounts.ownerB as Account;
    this.pwB = accounts.pwB as Account;
    this.repo = new DojosRepo(system.adapters.store);
  }

  get accountsA(): Account[] {
    return [this.ownerA, this.memberA, this.pwA, this.refreshA];
  }

  /** A plain JSON call for setup and bookkeeping (not counted among the fuzz requests). */
  async api(method: string, path: string, token?: string, body?: unknown): Promise<ApiAnswer> {
    const res = await fetch(new URL(path, this.base), {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: Record<string, unknown>;
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      parsed = { text };
    }
    return { status: res.status, body: parsed };
  }

  private async must(method: string, path: string, token: string | undefined, body: unknown, status: number) {
    const answer = await this.api(method, path, token, body);
    if (answer.status !== status) {
      throw new Error(
        `fuzz setup: ${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`,
      );
    }
    return answer.body;
  }

  /** A new session of the account (a login): for requests that end the session they carry. */
  async login(account: Account): Promise<{ token: string; refreshToken: string }> {
    const body = await this.must(
      'POST',
      '/v1/login',
      undefined,
      { username: account.username, password: account.password },
      200,
    );
    return { token: String(body.token), refreshToken: String(body.refreshToken) };
  }

  async relogin(account: Account): Promise<void> {
    account.token = (await this.login(account)).token;
  }

  static async create(): Promise<World> {
    const cheap = createAccountsModule(ACCOUNTS_OPTIONS);
    const system = await startTestSystem({
      modules: MODULES.map((m) => (m.name === 'accounts' ? cheap : m)),
    });
    try {
      const accounts: Record<string, Account> = {};
      const make = async (label: string, invitedBy?: Account) => {
        const username = `fz${label.slice(0, 3).toLowerCase()}${randomBytes(4).toString('hex')}`;
        const password = `Fz-${randomBytes(12).toString('base64url')}`;
        const user = await signUpAndLogin(system, {
          username,
          password,
          email: `${username}@example.com`,
          firstName: `First${label}`,
          lastName: `Last${label}`,
          ...(invitedBy ? { invitedBy: invitedBy.token } : {}),
        });
        accounts[label] = {
          label,
          username,
          email: `${username}@example.com`,
          password,
          userId: user.userId,
          tenantId: user.tenantId,
          token: user.token,
        };
        return accounts[label] as Account;
      };
      const ownerA = await make('ownerA');
      await make('memberA', ownerA);
      await make('pwA', ownerA);
      await make('refreshA', ownerA);
      const ownerB = await make('ownerB');
      await make('pwB', ownerB);
      const world = new World(system, accounts);
      await world.populate();
      return world;
    } catch (error) {
      await system.cleanup();
      throw error;
    }
  }

  private marker(tenant: 'A' | 'B', prefix: string): string {
    const value = `${prefix}${randomBytes(6).toString('hex')}`;
    (tenant === 'A' ? this.markersA : this.markersB).add(value);
    return value;
  }

  async createPoc(owner: Account): Promise<string> {
    const tenant = owner.tenantId === this.ownerA.tenantId ? 'A' : 'B';
    const body = await this.must(
      'POST',
      '/v1/pocs',
      owner.token,
      {
        name: this.marker(tenant, 'fzpoc'),
        language: 'TypeScript',
        tags: ['fuzz'],
        repoUrl: `https://example.com/${this.marker(tenant, 'fzrepo')}`,
        description: this.marker(tenant, 'fzdesc'),
      },
      201,
    );
    const id = String(body.id ?? body.pocId);
    (tenant === 'A' ? this.markersA : this.markersB).add(id);
    return id;
  }

  async createDojo(host: Account, members: Account[]): Promise<string> {
    const tenant = host.tenantId === this.ownerA.tenantId ? 'A' : 'B';
    const body = await this.must(
      'POST',
      '/v1/dojo/create',
      host.token,
      {
        dojoDate: '2031-05-01T10:00:00Z',
        members: members.map((m) => m.userId),
        subject: this.marker(tenant, 'fzdojo'),
      },
      201,
    );
    const id = String(body.dojoId);
    (tenant === 'A' ? this.markersA : this.markersB).add(id);
    return id;
  }

  async writeMessage(dojoId: string, author: Account): Promise<string> {
    const tenant = author.tenantId === this.ownerA.tenantId ? 'A' : 'B';
    const messageId = randomUUID();
    (tenant === 'A' ? this.markersA : this.markersB).add(messageId);
    await this.repo.addMessages([
      {
        messageId,
        dojoId,
        userId: author.userId,
        tenantId: author.tenantId,
        text: this.marker(tenant, 'fzmsg'),
        created: new Date(),
      },
    ]);
    return messageId;
  }

  private async populate(): Promise<void> {
    const { ownerA, memberA, ownerB } = this;
    for (const a of [...this.accountsA, ownerB, this.pwB]) {
      const tenant = a.tenantId === ownerA.tenantId ? this.markersA : this.markersB;
      for (const m of [a.userId, a.tenantId, a.username, a.email]) tenant.add(m);
      this.tenantAndUserIds.add(a.userId);
      this.tenantAndUserIds.add(a.tenantId);
    }
    this.dojoB = await this.createDojo(ownerB, [this.pwB]);
    for (const a of [ownerA, memberA, ownerB]) {
      const watched = [await this.createPoc(a), await this.createPoc(a)];
      const fodder = [await this.createPoc(a), await this.createPoc(a), await this.createPoc(a)];
      this.pocs.set(a.label, { watched, fodder });
      const page = await this.must('GET', '/v1/pocs?limit=1', a.token, undefined, 200);
      if (typeof page.nextCursor === 'string') this.cursors.set(a.label, page.nextCursor);
    }
    this.dojosA.push(
      await this.createDojo(ownerA, [memberA, this.refreshA]),
      await this.createDojo(memberA, [ownerA]),
    );
    const [d0] = this.dojosA as [string];
    this.messagesA.push(await this.writeMessage(d0, ownerA), await this.writeMessage(d0, memberA));
    for (const author of [ownerA, ownerA, memberA, memberA]) {
      this.fodderMessages.push({ id: await this.writeMessage(d0, author), author });
    }
    await this.writeMessage(this.dojoB, ownerB);

    this.images.push(...images());
    for (const a of [ownerA, memberA]) {
      const body = await this.must('POST', '/v1/user/picture', a.token, { image: this.images[0] }, 200);
      const id = /picture\/([A-Za-z0-9_-]{22})/.exec(String(body.picture))?.[1];
      if (id) this.pictureIds.set(a.userId, id);
    }

    const invitedB = `fzinvb${randomBytes(4).toString('hex')}@example.com`;
    await this.must('POST', '/v1/tenant/invitations', ownerB.token, { email: invitedB }, 201);
    const invited = `fzinv${randomBytes(4).toString('hex')}@example.com`;
    await this.must('POST', '/v1/tenant/invitations', ownerA.token, { email: invited }, 201);
    this.invitationToken = await tokenFromOutbox(this.system, invited, 'invitation');
    for (let i = 0; i < 2; i++) {
      const username = `fzunc${randomBytes(4).toString('hex')}`;
      const email = `${username}@example.com`;
      await this.must(
        'POST',
        '/v1/account',
        undefined,
        {
          firstName: 'Un',
          lastName: 'Confirmed',
          email,
          username,
          password: `Fz-${randomBytes(12).toString('base64url')}`,
        },
        201,
      );
      this.confirmTokens.push(await tokenFromOutbox(this.system, email, 'token'));
    }
    for (let i = 0; i < 4; i++) this.refreshTokens.push((await this.login(this.refreshA)).refreshToken);
    await this.collectNotifications();
    await this.snapshot();
  }

  /** The dojo invitations' notifications (made by workers, so waited for a little), if the system has them. */
  private async collectNotifications(): Promise<void> {
    const accounts = [this.ownerA, this.memberA, this.refreshA];
    const deadline = Date.now() + 5000;
    for (;;) {
      for (const a of accounts) {
        const r = await this.api('GET', '/v1/user/notification', a.token);
        const ids = ((r.body.notifications ?? []) as { notificationId?: string }[])
          .map((n) => String(n.notificationId))
          .filter((id) => id !== 'undefined');
        this.notifications.set(a.label, ids);
        for (const id of ids) this.markersA.add(id);
      }
      if (accounts.every((a) => this.notifications.get(a.label)?.length) || Date.now() > deadline) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Reads tenant A's watched resources and membership; the same reads after the run must give the same. */
  async integrityReads(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const a of [this.ownerA, this.memberA]) {
      for (const id of this.pocs.get(a.label)?.watched ?? []) {
        const r = await this.api('GET', `/v1/pocs/${id}`, a.token);
        out.set(`POC ${id} of ${a.label}`, `${r.status} ${JSON.stringify(r.body)}`);
      }
    }
    for (const id of this.dojosA) {
      const r = await this.api('GET', `/v1/dojos/${id}`, this.ownerA.token);
      const { status: _live, ...rest } = r.body;
      out.set(`dojo ${id}`, `${r.status} ${JSON.stringify(rest)}`);
    }
    const chat = await this.api('GET', `/v1/user/messages?roomId=${this.dojosA[0]}`, this.ownerA.token);
    const watched = ((chat.body.messages ?? []) as { messageId: string }[]).filter((m) =>
      this.messagesA.includes(m.messageId),
    );
    out.set('watched chat messages', `${chat.status} ${JSON.stringify(watched)}`);
    if ((await this.api('GET', '/v1/account/profile', this.refreshA.token)).status === 401) {
      await this.relogin(this.refreshA);
      this.notes.push('refreshA had to log in again before the integrity reads (its token was refused)');
    }
    const feed = await this.api('GET', '/v1/user/notification', this.refreshA.token);
    out.set('refreshA notifications', `${feed.status} ${JSON.stringify(feed.body)}`);
    const members = await this.api('GET', '/v1/tenant/members', this.ownerA.token);
    const ids = ((members.body.members ?? []) as { userId: string; role: string }[])
      .map((m) => `${m.userId}:${m.role}`)
      .sort();
    out.set('tenant A members', `${members.status} ${JSON.stringify(ids)}`);
    const tenant = await this.api('GET', '/v1/tenant', this.ownerA.token);
    out.set('tenant A', `${tenant.status} ${JSON.stringify(tenant.body)}`);
    return out;
  }

  private async snapshot(): Promise<void> {
    for (const [k, v] of await this.integrityReads()) this.snapshots.set(k, v);
  }

  /** Resolves a Ref for one variant of a case. */
  resolve(ref: Ref, ctx: ResolveContext): string {
    return applyTwist(this.resolveRaw(ref, ctx), ref.twist);
  }

  private resolveRaw(ref: Ref, ctx: ResolveContext): string {
    const { mode } = ctx;
    const pick = <T>(list: readonly T[]): T => list[ref.pick % list.length] as T;
    if (mode === 'twin' && TWIN_KINDS.has(ref.kind)) {
      return ref.kind === 'cursor' ? randomBytes(24).toString('base64url') : randomUUID();
    }
    // The caller's own things in tenant A (right mode); tenant A's owner's otherwise.
    const self = mode === 'right' && ctx.caller ? ctx.caller : this.ownerA;
    const usersA = [self, ...[this.ownerA, this.memberA].filter((a) => a.label !== self.label)];
    const watchedOf = (a: Account) =>
      this.pocs.get(a.label)?.watched ?? this.pocs.get(this.ownerA.label)?.watched ?? [];
    switch (ref.kind) {
      case 'userId':
        return pick(usersA).userId;
      case 'tenantId':
        return this.ownerA.tenantId;
      case 'username':
        return pick(usersA).username;
      case 'email':
        return pick(usersA).email;
      case 'pocId': {
        if (mode === 'right') {
          const own = this.pocs.get(self.label);
          return pick((ctx.mutating ? own?.fodder : own?.watched) ?? watchedOf(this.ownerA));
        }
        return pick([...watchedOf(this.ownerA), ...watchedOf(this.memberA)]);
      }
      case 'dojoId':
        return pick(this.dojosA);
      case 'messageId':
        return mode === 'right' && ctx.mutating ? pick(this.fodderMessages).id : pick(this.messagesA);
      case 'notificationId': {
        const own = mode === 'right' ? this.notifications.get(self.label) : undefined;
        const list = own?.length ? own : this.notifications.get(this.refreshA.label);
        return list?.length ? pick(list) : randomUUID();
      }
      case 'anyId':
        // Tenant A's own mutations never name a watched resource, even through an id of another kind.
        if (mode === 'right' && ctx.mutating) {
          return pick([
            self.userId,
            self.tenantId,
            ...(this.pocs.get(self.label)?.fodder ?? []),
            ...this.dojosA,
            ...this.fodderMessages.map((m) => m.id),
          ]);
        }
        return pick([
          this.ownerA.userId,
          this.ownerA.tenantId,
          ...watchedOf(this.ownerA),
          ...this.dojosA,
          ...this.messagesA,
        ]);
      case 'cursor':
        return this.cursors.get(self.label) ?? this.cursors.get(this.ownerA.label) ?? 'none';
      case 'pictureId':
        return this.pictureIds.get(pick(usersA).userId) ?? this.pictureIds.get(this.ownerA.userId) ?? 'none';
      case 'refreshToken':
        return pick(this.refreshTokens);
      case 'confirmToken':
        return pick(this.confirmTokens);
      case 'invitationToken':
        return this.invitationToken;
      case 'password':
        // Tenant B never has tenant A's passwords; everyone else may log in for real.
        return mode === 'cross' || mode === 'twin' ? `wrong-${ref.pick}-password` : self.password;
      case 'currentPassword':
        return mode === 'right' && ctx.caller ? ctx.caller.password : `wrong-${ref.pick}-password`;
      case 'image':
        return pick(this.images);
    }
  }

  /**
   * Logs in again any main account whose token stopped working; returns who had to. (pwA and pwB are left
   * to the password operation's own bookkeeping.)
   */
  async ensureSessions(): Promise<string[]> {
    const again: string[] = [];
    for (const a of [this.ownerA, this.memberA, this.ownerB]) {
      const r = await this.api('GET', '/v1/account/profile', a.token);
      if (r.status === 401) {
        await this.relogin(a);
        again.push(a.label);
      }
    }
    return again;
  }

  async close(): Promise<void> {
    await this.system.cleanup();
  }
}

/** Images for the picture endpoint: real PNG/JPEG/WebP, as base64 and data URLs, and a few that are not. */
function images(): string[] {
  const canvas = createCanvas(16, 16);
  const g = canvas.getContext('2d');
  g.fillStyle = '#c33';
  g.fillRect(0, 0, 16, 16);
  const png = canvas.toBuffer('image/png').toString('base64');
  const jpeg = canvas.toBuffer('image/jpeg').toString('base64');
  const webp = canvas.toBuffer('image/webp').toString('base64');
  const gif = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64').toString(
    'base64',
  );
  const corrupt = Buffer.concat([Buffer.from(png, 'base64').subarray(0, 40), randomBytes(40)]).toString(
    'base64',
  );
  return [
    png,
    `data:image/png;base64,${png}`,
    jpeg,
    `data:image/jpeg;base64,${webp}`,
    webp,
    gif,
    corrupt,
    'not base64 at all!',
    'data:image/png,notbase64',
    Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>').toString('base64'),
  ];
}
