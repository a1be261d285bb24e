/**
 * The reference server's authentication, the same work ours does per request: ES256 access tokens (`typ:
 * at+jwt`, issuer, audience, sub, tid, role, sid, jti, iat, exp) signed and verified with `jose`, the
 * algorithm, issuer, audience and type pinned. Like our Authenticator, a token whose signature was verified
 * is remembered until it expires (a bounded map), so the signature is checked once per token per process;
 * `verifyEach` checks it on every request instead (the cost of a server without that cache).
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, generateKeyPair, jwtVerify, type CryptoKey } from 'jose';

const ALG = 'ES256';
const ISSUER = 'https://reference.bench';
const AUDIENCE = 'reference-api';
const TYPE = 'at+jwt';
const MAX_TOKEN_LENGTH = 4096;
const CACHE_SIZE = 10_000;

export interface Caller {
  readonly userId: string;
  readonly tenantId: string;
}

export interface ReferenceAuth {
  sign(caller: Caller, ttlSeconds: number): Promise<string>;
  /** The caller a bearer token proves, or undefined (a 401). */
  verify(token: string): Promise<Caller | undefined>;
}

export async function createReferenceAuth(options: { verifyEach: boolean }): Promise<ReferenceAuth> {
  const { publicKey, privateKey } = (await generateKeyPair(ALG)) as {
    publicKey: CryptoKey;
    privateKey: CryptoKey;
  };
  const verified = new Map<string, { caller: Caller; expiresMs: number }>();

  const check = async (token: string): Promise<{ caller: Caller; expiresMs: number } | undefined> => {
    if (token.length > MAX_TOKEN_LENGTH || token.split('.').length !== 3) return undefined;
    try {
      const { payload } = await jwtVerify(token, publicKey, {
        algorithms: [ALG],
        issuer: ISSUER,
        audience: AUDIENCE,
        typ: TYPE,
        requiredClaims: ['sub', 'tid', 'jti', 'iat', 'exp'],
      });
      const { sub, tid, exp } = payload as { sub: unknown; tid: unknown; exp: number };
      if (typeof sub !== 'string' || typeof tid !== 'string') return undefined;
      return { caller: { userId: sub, tenantId: tid }, expiresMs: exp * 1000 };
    } catch {
      return undefined;
    }
  };

  return {
    sign: ({ userId, tenantId }, ttlSeconds) =>
      new SignJWT({ tid: tenantId, role: 'member', sid: randomUUID() })
        .setProtectedHeader({ alg: ALG, typ: TYPE })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setSubject(userId)
        .setJti(randomUUID())
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(privateKey),
    verify: async (token) => {
      const hit = options.verifyEach ? undefined : verified.get(token);
      if (hit && hit.expiresMs > Date.now()) return hit.caller;
      const fresh = await check(token);
      if (!fresh || options.verifyEach) return fresh?.caller;
      // Map order is insertion order: the oldest entry goes first when the map is full.
      if (verified.size >= CACHE_SIZE) verified.delete(verified.keys().next().value as string);
      verified.set(token, fresh);
      return fresh.caller;
    },
  };
}
