/**
 * The fuzz suite's world: the embedded system, two tenants with real resources, the secrets the generators
 * may use, and the marker strings of each tenant (whose presence in an answer to the other tenant is a leak).
 * The accounts are made in `world-accounts.ts`, the resources in `world-resources.ts`, and what a case's Refs
 * stand for in each variant is decided in `resolve-ref.ts`.
 */
import { randomBytes } from 'node:crypto';
import { DojosRepo } from '../../server/modules/dojos/repo.ts';
import type { TestSystem } from '../support/system.ts';
import type { Ref } from './model.ts';
import { resolveRef, type ResolveContext } from './resolve-ref.ts';
import { signUpAccounts, startFuzzSystem, type Account, type AccountLabel } from './world-accounts.ts';
import { fillTenants } from './world-resources.ts';

interface ApiAnswer {
  status: number;
  body: Record<string, unknown>;
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

  private constructor(system: TestSystem, accounts: Record<AccountLabel, Account>) {
    this.system = system;
    this.base = new URL(system.url);
    this.ownerA = accounts.ownerA;
    this.memberA = accounts.memberA;
    this.pwA = accounts.pwA;
    this.refreshA = accounts.refreshA;
    this.ownerB = accounts.ownerB;
    this.pwB = accounts.pwB;
    this.repo = new DojosRepo(system.adapters.store);
  }

  /** Starts the system, signs up the accounts and fills both tenants; stops the system if any of it fails. */
  static async create(): Promise<World> {
    const system = await startFuzzSystem();
    try {
      const world = new World(system, await signUpAccounts(system));
      await fillTenants(world);
      return world;
    } catch (error) {
      await system.cleanup();
      throw error;
    }
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

  /** A setup call that must answer `status`: anything else stops the run, as the world would be incomplete. */
  async must(method: string, path: string, token: string | undefined, body: unknown, status: number) {
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

  /** A new random string that only the tenant's data contains, recorded as its marker. */
  marker(tenant: 'A' | 'B', prefix: string): string {
    const value = `${prefix}${randomBytes(6).toString('hex')}`;
    (tenant === 'A' ? this.markersA : this.markersB).add(value);
    return value;
  }

  /** Resolves a Ref for one variant of a case. */
  resolve(ref: Ref, ctx: ResolveContext): string {
    return resolveRef(this, ref, ctx);
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
