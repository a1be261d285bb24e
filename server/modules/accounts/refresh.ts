import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  randomUUID,
} from 'node:crypto';
import type { Logger } from '../../lib/log.ts';
import type { Row, Store } from '../../ports/store.ts';
import type { Authenticator } from './authenticator.ts';
import type { AccountsRepo, User } from './repo.ts';
import { TABLES } from './schema.ts';
import type { AccessTokens } from './tokens.ts';

export type OAuthErrorCode = 'invalid_request' | 'invalid_grant' | 'unsupported_grant_type';

/** An RFC 6749 §5.2 error: the token endpoint answers it as `{error, error_description}`, not problem+json. */
export class OAuthError extends Error {
  readonly error: OAuthErrorCode;
  constructor(error: OAuthErrorCode, description: string) {
    super(description);
    this.name = 'OAuthError';
    this.error = error;
  }
}

export interface TokenPair {
  readonly userId: string;
  readonly tenantId: string;
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Epoch seconds of the access token's expiry. */
  readonly expiresAt: number;
}

const TOKEN = /^rt_[A-Za-z0-9_-]{43}$/;
const newRefreshToken = () => `rt_${randomBytes(32).toString('base64url')}`;
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const invalidGrant = (why = 'The refresh token is invalid, expired or revoked.') =>
  new OAuthError('invalid_grant', why);

/**
 * The answer a rotation gave, sealed with AES-256-GCM under a key derived from the rotated token itself:
 * the store holds only the token's SHA-256, so nobody who reads the store can open it, while the holder of
 * the token can within the grace window.
 */
function sealKey(token: string): Buffer {
  return createHmac('sha256', token).update('dojo refresh replay v1').digest();
}

function seal(token: string, pair: TokenPair): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealKey(token), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(pair), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

function unseal(token: string, sealed: Buffer): TokenPair | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', sealKey(token), sealed.subarray(0, 12));
    decipher.setAuthTag(sealed.subarray(12, 28));
    const text = Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
    return JSON.parse(text) as TokenPair;
  } catch {
    return undefined;
  }
}

export interface SessionsOptions {
  readonly store: Store;
  readonly repo: AccountsRepo;
  readonly tokens: AccessTokens;
  readonly authenticator: Authenticator;
  readonly logger: Logger;
  readonly familyTtlSeconds: number;
  readonly graceSeconds: number;
  readonly now?: () => number;
}

/**
 * Sessions as refresh-token families (OAuth 2.0 Security BCP, RFC 9700 §4.14): opaque tokens stored hashed,
 * rotated on every use with a conditional write so two concurrent refreshes cannot both rotate, an absolute
 * family lifetime, and reuse of a rotated token revoking the whole family, except the same token presented
 * again within the grace window (a client retrying after a lost response), which gets the same answer.
 */
export class Sessions {
  readonly #o: SessionsOptions;
  readonly #now: () => number;

  constructor(options: SessionsOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /** A new family for a user who just proved their credentials. */
  async start(user: User): Promise<TokenPair> {
    const now = this.#now();
    const familyId = randomUUID();
    const expires = now + this.#o.familyTtlSeconds * 1000;
    const authTime = Math.max(Math.floor(now / 1000), user.sessionsValidAfter);
    await this.#o.store.insert(
      TABLES.families,
      {
        family_id: familyId,
        user_id: user.userId,
        tenant_id: user.tenantId,
        state: 'ACTIVE',
        auth_time: authTime,
        created: new Date(now),
        expires_at: new Date(expires),
      },
      { ttlSeconds: this.#o.familyTtlSeconds + this.#o.tokens.ttlSeconds },
    );
    const refreshToken = newRefreshToken();
    await this.#insertToken(refreshToken, familyId, user.userId, now, this.#o.familyTtlSeconds);
    const { pair, jti } = await this.#issue(user, familyId, refreshToken, now);
    await this.#recordAccess({ family_id: familyId, expires_at: new Date(expires) }, jti, pair.expiresAt);
    return pair;
  }

  async refresh(presented: string): Promise<TokenPair> {
    if (!TOKEN.test(presented)) throw invalidGrant();
    const hash = hashToken(presented);
    const row = await this.#o.store.get(TABLES.refreshTokens, { token_hash: hash });
    if (!row) throw invalidGrant();
    const family = await this.#o.store.get(TABLES.families, { family_id: String(row.family_id) });
    const now = this.#now();
    if (!family || family.state !== 'ACTIVE' || (family.expires_at as Date).getTime() <= now)
      throw invalidGrant();
    if (row.state !== 'ACTIVE') return this.#replayOrRevoke(presented, row, family);

    const user = await this.#o.repo.user(String(row.user_id));
    if (!user || user.accountStatus !== 'A' || Number(family.auth_time) < user.sessionsValidAfter) {
      await this.revokeFamily(String(family.family_id));
      throw invalidGrant('The session has ended; sign in again.');
    }
    const ttl = this.#remainingSeconds(family);
    const successor = newRefreshToken();
    await this.#insertToken(successor, String(family.family_id), user.userId, now, ttl);
    const { pair, jti } = await this.#issue(user, String(family.family_id), successor, now);
    const rotated = await this.#o.store.update(
      TABLES.refreshTokens,
      { token_hash: hash },
      { state: 'ROTATED', rotated_at: new Date(now), replay: seal(presented, pair) },
      { if: { state: 'ACTIVE' }, ttlSeconds: ttl },
    );
    if (rotated.applied) {
      await this.#recordAccess(family, jti, pair.expiresAt);
      return pair;
    }
    // Another request rotated this token first: drop our unused successor and answer as a retry of theirs.
    await this.#o.store.delete(TABLES.refreshTokens, { token_hash: hashToken(successor) });
    const current = await this.#o.store.get(TABLES.refreshTokens, { token_hash: hash });
    if (!current) throw invalidGrant();
    return this.#replayOrRevoke(presented, current, family);
  }

  /** Ends a session: its refresh tokens stop working and its latest access token is revoked. */
  async revokeFamily(familyId: string): Promise<void> {
    const family = await this.#o.store.get(TABLES.families, { family_id: familyId });
    if (!family) return;
    await this.#o.store.update(
      TABLES.families,
      { family_id: familyId },
      { state: 'REVOKED' },
      { ttlSeconds: this.#rowSeconds(family) },
    );
    await this.#o.authenticator.forgetSession(familyId);
    const jti = family.access_jti;
    const exp = family.access_exp;
    if (typeof jti === 'string' && exp instanceof Date && exp.getTime() > this.#now()) {
      await this.#o.authenticator.revoke({
        jti,
        userId: String(family.user_id),
        expiresAt: exp.getTime() / 1000,
      });
    }
  }

  async #replayOrRevoke(presented: string, row: Row, family: Row): Promise<TokenPair> {
    const rotatedAt = row.rotated_at instanceof Date ? row.rotated_at.getTime() : 0;
    if (this.#now() - rotatedAt <= this.#o.graceSeconds * 1000 && Buffer.isBuffer(row.replay)) {
      const pair = unseal(presented, row.replay);
      if (pair) return pair;
    }
    this.#o.logger.warn(
      { familyId: family.family_id, userId: family.user_id },
      'refresh token reuse: family revoked',
    );
    await this.revokeFamily(String(family.family_id));
    throw invalidGrant();
  }

  async #insertToken(token: string, familyId: string, userId: string, now: number, ttlSeconds: number) {
    await this.#o.store.insert(
      TABLES.refreshTokens,
      {
        token_hash: hashToken(token),
        family_id: familyId,
        user_id: userId,
        state: 'ACTIVE',
        created: new Date(now),
      },
      { ttlSeconds },
    );
  }

  async #issue(user: User, familyId: string, refreshToken: string, now: number) {
    const access = await this.#o.tokens.sign(
      { userId: user.userId, tenantId: user.tenantId, role: user.role, sessionId: familyId },
      now,
      user.sessionsValidAfter,
    );
    const pair: TokenPair = {
      userId: user.userId,
      tenantId: user.tenantId,
      accessToken: access.token,
      refreshToken,
      expiresAt: access.expiresAt,
    };
    return { pair, jti: access.jti };
  }

  /** Remembers the session's latest access token, so ending the session can revoke it. */
  async #recordAccess(family: Row, jti: string, expiresAt: number): Promise<void> {
    await this.#o.store.update(
      TABLES.families,
      { family_id: String(family.family_id) },
      { access_jti: jti, access_exp: new Date(expiresAt * 1000) },
      { ttlSeconds: this.#rowSeconds(family) },
    );
  }

  /** Seconds until the family can no longer be refreshed: the lifetime of its refresh-token rows. */
  #remainingSeconds(family: Row): number {
    return Math.max(1, Math.ceil(((family.expires_at as Date).getTime() - this.#now()) / 1000));
  }

  /**
   * Every write to a family carries the same expiry, so the whole row goes at once (a write without TTL would
   * keep it forever); it outlives the last refresh by one access-token lifetime, since the session's access
   * tokens are checked against it.
   */
  #rowSeconds(family: Row): number {
    return this.#remainingSeconds(family) + this.#o.tokens.ttlSeconds;
  }
}
