import { randomUUID } from 'node:crypto';
import { SignJWT, errors, jwtVerify } from 'jose';
import { z } from 'zod';
import { AppError } from '../../lib/errors.ts';
import { TENANT_ROLES, type Caller, type TenantRole as Role } from '../../capabilities.ts';
import { ALG, type KeyRing } from './keyring.ts';

export { TENANT_ROLES as ROLES, type TenantRole as Role } from '../../capabilities.ts';
export const ACCESS_TOKEN_TYPE = 'at+jwt';
/** Longer than any token we sign; anything bigger is refused before parsing. */
const MAX_TOKEN_LENGTH = 4096;

/** Who is calling, as proven by a verified access token (the kernel's `Caller`). */
export type AuthContext = Caller;

export interface Subject {
  readonly userId: string;
  readonly tenantId: string;
  readonly role: Role;
  readonly sessionId: string;
}

export interface SignedAccessToken {
  readonly token: string;
  readonly jti: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

const claimsSchema = z.object({
  sub: z.uuid(),
  tid: z.uuid(),
  role: z.enum(TENANT_ROLES),
  jti: z.uuid(),
  sid: z.uuid(),
  iat: z.number().int(),
  exp: z.number().int(),
});

export const invalidToken = (detail = 'The access token is invalid.') =>
  new AppError('AUTH.INVALID_TOKEN', detail, { kind: 'UNAUTHENTICATED' });

/**
 * Access tokens: ES256 JWTs with `typ: at+jwt` (RFC 9068), a `kid` from the shared key ring, and the claims
 * iss, aud, sub, tid (tenant), role, sid (session), jti, iat, exp. Verification pins the algorithm, issuer,
 * audience and type, so `alg: none`, HMAC confusion and opaque refresh tokens can never pass.
 */
export class AccessTokens {
  readonly #keys: KeyRing;
  readonly #issuer: string;
  readonly #audience: string;
  readonly #ttlSeconds: number;
  readonly #toleranceSeconds: number;

  constructor(options: {
    readonly keys: KeyRing;
    readonly issuer: string;
    readonly audience: string;
    readonly ttlSeconds: number;
    readonly clockToleranceSeconds: number;
  }) {
    this.#keys = options.keys;
    this.#issuer = options.issuer;
    this.#audience = options.audience;
    this.#ttlSeconds = options.ttlSeconds;
    this.#toleranceSeconds = options.clockToleranceSeconds;
  }

  get ttlSeconds(): number {
    return this.#ttlSeconds;
  }

  /**
   * `notBefore` (epoch seconds) is the user's session cutoff: a token issued in the same second as a
   * password change carries that cutoff as its iat, so the cutoff check cannot refuse it.
   */
  async sign(subject: Subject, nowMs: number, notBefore = 0): Promise<SignedAccessToken> {
    const { kid, key } = await this.#keys.signing();
    const issuedAt = Math.max(Math.floor(nowMs / 1000), notBefore);
    const expiresAt = issuedAt + this.#ttlSeconds;
    const jti = randomUUID();
    const token = await new SignJWT({ tid: subject.tenantId, role: subject.role, sid: subject.sessionId })
      .setProtectedHeader({ alg: ALG, kid, typ: ACCESS_TOKEN_TYPE })
      .setIssuer(this.#issuer)
      .setAudience(this.#audience)
      .setSubject(subject.userId)
      .setJti(jti)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .sign(key);
    return { token, jti, issuedAt, expiresAt };
  }

  /** The caller a token proves, or a 401 AppError (`AUTH.TOKEN_EXPIRED` or `AUTH.INVALID_TOKEN`). */
  async verify(token: string): Promise<AuthContext> {
    if (token.length > MAX_TOKEN_LENGTH || token.split('.').length !== 3) throw invalidToken();
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, async (header) => this.#key(header.kid), {
        algorithms: [ALG],
        issuer: this.#issuer,
        audience: this.#audience,
        typ: ACCESS_TOKEN_TYPE,
        clockTolerance: this.#toleranceSeconds,
        requiredClaims: ['sub', 'jti', 'iat', 'exp'],
      }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) {
        throw new AppError('AUTH.TOKEN_EXPIRED', 'The access token has expired.', {
          kind: 'UNAUTHENTICATED',
        });
      }
      if (error instanceof AppError) throw error;
      throw invalidToken();
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) throw invalidToken();
    const c = claims.data;
    return {
      userId: c.sub,
      tenantId: c.tid,
      role: c.role,
      jti: c.jti,
      sessionId: c.sid,
      issuedAt: c.iat,
      expiresAt: c.exp,
    };
  }

  async #key(kid: string | undefined) {
    const key = await this.#keys.verificationKey(kid);
    if (!key) throw invalidToken('The access token was signed by an unknown key.');
    return key;
  }
}
