import { AppError } from '../../lib/errors.ts';
import type { Logger } from '../../lib/log.ts';
import type { Revocation } from '../../capabilities.ts';
import type { Bus } from '../../ports/bus.ts';
import type { Store } from '../../ports/store.ts';
import { Lru } from './lru.ts';
import { TABLES } from './schema.ts';
import type { AccessTokens, AuthContext } from './tokens.ts';

export const REVOCATION_CHANNEL = 'accounts.revocations';

export type RevocationMessage =
  | { readonly kind: 'token'; readonly jti: string; readonly exp: number }
  | { readonly kind: 'user'; readonly userId: string }
  | { readonly kind: 'session'; readonly sessionId: string };

interface Verified {
  readonly auth: AuthContext;
  checkedAt: number;
}

interface UserState {
  readonly status: string;
  readonly tenantId: string;
  readonly validAfter: number;
}

export interface AuthenticatorOptions {
  readonly tokens: AccessTokens;
  readonly store: Store;
  readonly bus: Bus;
  readonly logger: Logger;
  readonly cacheSize: number;
  readonly revocationRecheckMs: number;
  readonly userStateCacheMs: number;
  readonly now?: () => number;
}

const revoked = () =>
  new AppError('AUTH.TOKEN_REVOKED', 'The access token has been revoked.', { kind: 'UNAUTHENTICATED' });
const sessionEnded = () =>
  new AppError('AUTH.SESSION_ENDED', 'The session has ended; sign in again.', { kind: 'UNAUTHENTICATED' });

/** The user must be active, in the token's tenant, and not have ended their sessions after it was issued. */
function assertUser(auth: AuthContext, state: UserState): void {
  if (state.status !== 'A' || state.tenantId !== auth.tenantId || auth.issuedAt < state.validAfter) {
    throw sessionEnded();
  }
}

function isMessage(m: unknown): m is RevocationMessage {
  if (typeof m !== 'object' || m === null) return false;
  const { kind, jti, userId, sessionId } = m as Record<string, unknown>;
  return (
    (kind === 'token' && typeof jti === 'string') ||
    (kind === 'user' && typeof userId === 'string') ||
    (kind === 'session' && typeof sessionId === 'string')
  );
}

/**
 * Turns a bearer token into an AuthContext on the hot path. A verified token is kept in a bounded LRU until
 * it expires, so the signature is checked once per node; revocation still wins: a logout is broadcast on the
 * bus (evicting the token on every node), cached entries re-check the revocation table every
 * `revocationRecheckMs` in case a broadcast was lost, and each request checks the user's status and session
 * cutoff, and its session's state, from small caches that user and session broadcasts evict.
 */
export class Authenticator {
  readonly #o: AuthenticatorOptions;
  readonly #now: () => number;
  readonly #verified: Lru<Verified>;
  readonly #revoked: Lru<true>;
  readonly #listeners = new Set<(revocation: Revocation) => void>();
  readonly #users: Lru<UserState>;
  readonly #sessions: Lru<boolean>;
  /** Bumped by every user or session broadcast, so a store read that raced one is not cached. */
  #epoch = 0;
  #unsubscribe: Promise<(() => Promise<void>) | undefined> | undefined;

  constructor(options: AuthenticatorOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#verified = new Lru({ max: options.cacheSize, now: this.#now });
    this.#revoked = new Lru({ max: options.cacheSize, now: this.#now });
    this.#users = new Lru({ max: options.cacheSize, now: this.#now });
    this.#sessions = new Lru({ max: options.cacheSize, now: this.#now });
  }

  /** Subscribes to revocation broadcasts; failure is logged, the periodic re-checks still apply. */
  start(): void {
    this.#unsubscribe ??= this.#o.bus
      .subscribe(REVOCATION_CHANNEL, (message) => {
        if (isMessage(message)) this.#apply(message);
      })
      .catch((error: unknown) => {
        this.#o.logger.warn(
          { err: error },
          'revocation broadcasts unavailable; relying on periodic re-checks',
        );
        return undefined;
      });
  }

  async close(): Promise<void> {
    const unsubscribe = await this.#unsubscribe;
    this.#unsubscribe = undefined;
    await unsubscribe?.().catch(() => undefined);
    this.#verified.clear();
    this.#revoked.clear();
    this.#users.clear();
    this.#sessions.clear();
  }

  /**
   * The hot path of `authenticate`, without a promise: the caller of a token whose signature, revocation
   * check, user state and session state this node already knows (every check of `authenticate` runs, in
   * its order, on the same cached data). Undefined when a check needs the store or the signature is not
   * verified yet: then call `authenticate`. Throws what `authenticate` would reject with.
   */
  known(token: string): AuthContext | undefined {
    const hit = this.#verified.get(token);
    if (!hit) return undefined;
    if (this.#revoked.get(hit.auth.jti)) throw revoked();
    if (this.#now() - hit.checkedAt >= this.#o.revocationRecheckMs) return undefined;
    const user = this.#users.get(hit.auth.userId);
    if (!user) return undefined;
    assertUser(hit.auth, user);
    const active = this.#sessions.get(hit.auth.sessionId);
    if (active === undefined) return undefined;
    if (!active) throw sessionEnded();
    return hit.auth;
  }

  async authenticate(token: string): Promise<AuthContext> {
    const now = this.#now();
    const hit = this.#verified.get(token);
    if (hit) {
      if (this.#revoked.get(hit.auth.jti)) throw revoked();
      if (now - hit.checkedAt >= this.#o.revocationRecheckMs) {
        await this.#checkRevocation(hit.auth);
        hit.checkedAt = now;
      }
      await this.#checkUser(hit.auth);
      await this.#checkSession(hit.auth);
      return hit.auth;
    }
    const auth = await this.#o.tokens.verify(token);
    if (this.#revoked.get(auth.jti)) throw revoked();
    await this.#checkRevocation(auth);
    await this.#checkUser(auth);
    await this.#checkSession(auth);
    this.#verified.set(token, { auth, checkedAt: now }, auth.expiresAt * 1000);
    return auth;
  }

  /** Refuses the token on every node from now until it expires. */
  async revoke(auth: Pick<AuthContext, 'jti' | 'userId' | 'expiresAt'>): Promise<void> {
    const ttl = Math.ceil(auth.expiresAt - this.#now() / 1000) + 60;
    if (ttl <= 0) return;
    await this.#o.store.insert(
      TABLES.revoked,
      { jti: auth.jti, user_id: auth.userId, revoked: new Date(this.#now()) },
      { ttlSeconds: ttl },
    );
    await this.#broadcast({ kind: 'token', jti: auth.jti, exp: auth.expiresAt });
  }

  /** After a change of the user's status or session cutoff in the store: every node re-reads it. */
  async forgetUser(userId: string): Promise<void> {
    await this.#broadcast({ kind: 'user', userId });
  }

  /** After a session (refresh family) was revoked in the store: its access tokens stop working everywhere. */
  async forgetSession(sessionId: string): Promise<void> {
    await this.#broadcast({ kind: 'session', sessionId });
  }

  async #broadcast(message: RevocationMessage): Promise<void> {
    this.#apply(message);
    try {
      await this.#o.bus.publish(REVOCATION_CHANNEL, message);
    } catch (error) {
      this.#o.logger.warn(
        { err: error, kind: message.kind },
        'revocation broadcast failed; other nodes re-check soon',
      );
    }
  }

  /** Called on this node for every revocation it applies, its own and other nodes' (see `Auth.onRevoked`). */
  onRevoked(listener: (revocation: Revocation) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #apply(message: RevocationMessage): void {
    const revocation: Revocation =
      message.kind === 'token'
        ? { kind: 'token', jti: message.jti }
        : message.kind === 'user'
          ? { kind: 'user', userId: message.userId }
          : { kind: 'session', sessionId: message.sessionId };
    for (const listener of this.#listeners) {
      try {
        listener(revocation);
      } catch (error) {
        this.#o.logger.warn({ err: error }, 'revocation listener failed');
      }
    }
    if (message.kind === 'token') {
      this.#revoked.set(message.jti, true, Math.max(message.exp * 1000, this.#now() + 60_000));
      this.#verified.deleteWhere((v) => v.auth.jti === message.jti);
    } else if (message.kind === 'user') {
      this.#epoch++;
      this.#users.delete(message.userId);
    } else {
      this.#epoch++;
      this.#sessions.delete(message.sessionId);
    }
  }

  async #checkRevocation(auth: AuthContext): Promise<void> {
    const row = await this.#o.store.get(TABLES.revoked, { jti: auth.jti });
    if (row) {
      this.#revoked.set(auth.jti, true, auth.expiresAt * 1000);
      throw revoked();
    }
  }

  async #checkUser(auth: AuthContext): Promise<void> {
    let state = this.#users.get(auth.userId);
    if (!state) {
      const epoch = this.#epoch;
      const row = await this.#o.store.get(TABLES.users, { user_id: auth.userId });
      state = {
        status: typeof row?.account_status === 'string' ? row.account_status : 'missing',
        tenantId: typeof row?.tenant_id === 'string' ? row.tenant_id : '',
        validAfter: typeof row?.sessions_valid_after === 'number' ? row.sessions_valid_after : 0,
      };
      if (epoch === this.#epoch) this.#users.set(auth.userId, state, this.#now() + this.#o.userStateCacheMs);
    }
    assertUser(auth, state);
  }

  /** The session the token belongs to must not have ended (logout, refresh-token reuse). */
  async #checkSession(auth: AuthContext): Promise<void> {
    let active = this.#sessions.get(auth.sessionId);
    if (active === undefined) {
      const epoch = this.#epoch;
      const row = await this.#o.store.get(TABLES.families, { family_id: auth.sessionId });
      active = row?.state === 'ACTIVE' && row.user_id === auth.userId;
      if (epoch === this.#epoch)
        this.#sessions.set(auth.sessionId, active, this.#now() + this.#o.userStateCacheMs);
    }
    if (!active) throw sessionEnded();
  }
}
