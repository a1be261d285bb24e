import { type Row, type Store, textOf } from '../../ports/store.ts';
import { TABLES } from './schema.ts';
import { ROLES, type Role } from './tokens.ts';

export type AccountStatus = 'C' | 'A' | 'D';
export type Presence = 'ONLINE' | 'OFFLINE';
export type Settings = Record<string, string | number | boolean>;

export interface User {
  readonly userId: string;
  readonly tenantId: string;
  readonly username: string;
  readonly email: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly passwordHash: string;
  readonly accountStatus: AccountStatus;
  readonly role: Role;
  readonly presence: Presence;
  readonly pictureId: string | null;
  readonly pictureKey: string | null;
  readonly settings: Settings;
  readonly invitedBy: string | null;
  /** Epoch seconds; see AccessTokens.sign. */
  readonly sessionsValidAfter: number;
  readonly created: Date;
  readonly updated: Date;
}

export interface Tenant {
  readonly tenantId: string;
  readonly name: string;
  readonly ownerId: string;
  readonly subscription: {
    readonly plan: string;
    readonly status: string;
    readonly expiresAt: Date | null;
    readonly autoRenew: boolean;
  };
}

export interface Member {
  readonly userId: string;
  readonly role: Role;
  readonly joined: Date;
}

/** A numbered seat of a tenant's plan and the account holding it (seats.ts). */
export interface Seat {
  readonly seat: number;
  readonly userId: string;
}

const asRole = (v: unknown): Role => (ROLES.includes(v as Role) ? (v as Role) : 'member');
const asObject = <T>(v: unknown, fallback: T): T =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as T) : fallback;

export function toUser(row: Row): User {
  return {
    userId: textOf(row.user_id),
    tenantId: textOf(row.tenant_id),
    username: textOf(row.username),
    email: textOf(row.email),
    firstName: textOf(row.first_name),
    lastName: textOf(row.last_name),
    passwordHash: textOf(row.password_hash),
    accountStatus: (['C', 'A', 'D'].includes(textOf(row.account_status))
      ? row.account_status
      : 'C') as AccountStatus,
    role: asRole(row.role),
    presence: row.presence === 'ONLINE' ? 'ONLINE' : 'OFFLINE',
    pictureId: typeof row.picture_id === 'string' ? row.picture_id : null,
    pictureKey: typeof row.picture_key === 'string' ? row.picture_key : null,
    settings: asObject<Settings>(row.settings, {}),
    invitedBy: typeof row.invited_by === 'string' ? row.invited_by : null,
    sessionsValidAfter: typeof row.sessions_valid_after === 'number' ? row.sessions_valid_after : 0,
    created: row.created instanceof Date ? row.created : new Date(0),
    updated: row.updated instanceof Date ? row.updated : new Date(0),
  };
}

/** Reads and writes of users, tenants and members, one table per query. */
export class AccountsRepo {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  get store(): Store {
    return this.#store;
  }

  async user(userId: string): Promise<User | undefined> {
    const row = await this.#store.get(TABLES.users, { user_id: userId });
    return row ? toUser(row) : undefined;
  }

  async userByUsername(username: string): Promise<User | undefined> {
    const claim = await this.#store.get(TABLES.usernames, { username });
    if (!claim || typeof claim.user_id !== 'string') return undefined;
    const user = await this.user(claim.user_id);
    // A claim taken over by a newer sign-up still points at the old row's username: trust the claim only.
    return user && user.username === username ? user : undefined;
  }

  async updateUser(userId: string, set: Row): Promise<void> {
    await this.#store.update(TABLES.users, { user_id: userId }, { ...set, updated: new Date() });
  }

  async tenant(tenantId: string): Promise<Tenant | undefined> {
    const row = await this.#store.get(TABLES.tenants, { tenant_id: tenantId });
    if (!row) return undefined;
    return {
      tenantId: textOf(row.tenant_id),
      name: textOf(row.name),
      ownerId: textOf(row.owner_id),
      subscription: {
        plan: textOf(row.plan) || 'FREE',
        status: textOf(row.subscription_status) || 'ACTIVE',
        expiresAt: row.expires_at instanceof Date ? row.expires_at : null,
        autoRenew: row.auto_renew === true,
      },
    };
  }

  /** Idempotent: confirming twice (or concurrently) leaves one tenant. */
  async createTenant(tenantId: string, name: string, ownerId: string, now: Date): Promise<void> {
    await this.#store.insert(
      TABLES.tenants,
      {
        tenant_id: tenantId,
        name,
        owner_id: ownerId,
        plan: 'FREE',
        subscription_status: 'ACTIVE',
        auto_renew: false,
        created: now,
        updated: now,
      },
      { ifNotExists: true },
    );
  }

  async addMember(tenantId: string, userId: string, role: Role, joined: Date): Promise<void> {
    await this.#store.insert(TABLES.members, { tenant_id: tenantId, user_id: userId, role, joined });
  }

  async members(tenantId: string): Promise<Member[]> {
    const rows = await this.#partition(TABLES.members, tenantId);
    return rows.map((row) => ({
      userId: textOf(row.user_id),
      role: asRole(row.role),
      joined: row.joined as Date,
    }));
  }

  /** The tenant's seats (seats.ts), in seat order. */
  async seats(tenantId: string): Promise<Seat[]> {
    const rows = await this.#partition(TABLES.seats, tenantId);
    return rows.map((row) => ({ seat: Number(row.seat), userId: textOf(row.user_id) }));
  }

  /** Claims seat `seat` for `userId` if no one holds it; answers who holds it now. */
  async claimSeat(tenantId: string, seat: number, userId: string): Promise<string> {
    const claim = await this.#store.insert(
      TABLES.seats,
      { tenant_id: tenantId, seat, user_id: userId, taken: new Date() },
      { ifNotExists: true },
    );
    return claim.applied ? userId : textOf(claim.current?.user_id);
  }

  /** Every row of one tenant's partition of `table`. */
  async #partition(table: string, tenantId: string): Promise<Row[]> {
    const rows: Row[] = [];
    let pageState: string | undefined;
    do {
      const page = await this.#store.query(table, {
        where: { tenant_id: tenantId },
        limit: 500,
        ...(pageState ? { pageState } : {}),
      });
      rows.push(...page.rows);
      pageState = page.pageState;
    } while (pageState);
    return rows;
  }
}
