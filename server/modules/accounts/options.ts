import type { ScryptParams } from './passwords.ts';

/** Login throttling: after `freeFailures` failures within `windowSeconds`, wait 2^(n - free) s, capped. */
export interface ThrottleRule {
  readonly freeFailures: number;
  readonly windowSeconds: number;
  readonly maxLockSeconds: number;
}

/** At most `limit` attempts in a fixed window of `windowSeconds` that starts with the first attempt. */
export interface RateLimit {
  readonly limit: number;
  readonly windowSeconds: number;
}

/**
 * Tunables of the accounts module. Defaults are the production values; tests shorten lifetimes and may use
 * cheaper hashing for behaviour that is not about hashing.
 */
export interface AccountsOptions {
  readonly hashing: ScryptParams;
  /**
   * Worker threads that run scrypt (hash-pool.ts), each holding up to one hash's memory (128 MiB at the
   * production parameters): hashing never runs on libuv's shared thread pool.
   */
  readonly hashingThreads: number;
  /** Hashes waiting for a thread; beyond them a sign-up, login or password change gets 503 + Retry-After. */
  readonly hashingQueue: number;
  readonly accessTokenTtlSeconds: number;
  /** Absolute lifetime of a refresh-token family (a session), from login. */
  readonly refreshFamilyTtlSeconds: number;
  /** A rotated refresh token presented again within this window replays the same answer. */
  readonly refreshGraceSeconds: number;
  readonly confirmationTtlSeconds: number;
  readonly invitationTtlSeconds: number;
  /** A signing key older than this is replaced by a new current key. */
  readonly keyMaxAgeSeconds: number;
  /** How often each node checks whether the current key is due for rotation. */
  readonly keyCheckIntervalMs: number;
  /** How long a node trusts its in-memory copy of the key ring before reading it again. */
  readonly keyRingRefreshMs: number;
  readonly throttlePerAccount: ThrottleRule;
  readonly throttlePerAddress: ThrottleRule;
  /** Sign-up attempts per client address (every attempt with a valid body counts, successful or not). */
  readonly throttleSignUpPerAddress: RateLimit;
  /** Verified access tokens kept in memory per node. */
  readonly verifiedCacheSize: number;
  /** A cached verified token is checked again against the revocation table after this long. */
  readonly revocationRecheckMs: number;
  /** How long a node trusts its copy of a user's status and session cutoff (broadcasts evict sooner). */
  readonly userStateCacheMs: number;
  readonly pictureMaxBytes: number;
  readonly pictureMaxPixels: number;
  readonly pictureSize: number;
  /** Lifetime of the signed blob URL a picture link redirects to. */
  readonly pictureSignedUrlSeconds: number;
  readonly audience: string;
  /** Leeway for `exp` and `nbf` between nodes' clocks. */
  readonly clockToleranceSeconds: number;
}

export const PRODUCTION_SCRYPT: ScryptParams = { N: 2 ** 17, r: 8, p: 1, keyLength: 32 };

export const DEFAULT_OPTIONS: AccountsOptions = {
  hashing: PRODUCTION_SCRYPT,
  hashingThreads: 2,
  hashingQueue: 32,
  accessTokenTtlSeconds: 15 * 60,
  refreshFamilyTtlSeconds: 30 * 24 * 3600,
  refreshGraceSeconds: 10,
  confirmationTtlSeconds: 24 * 3600,
  invitationTtlSeconds: 7 * 24 * 3600,
  keyMaxAgeSeconds: 30 * 24 * 3600,
  keyCheckIntervalMs: 60 * 60 * 1000,
  keyRingRefreshMs: 60 * 1000,
  throttlePerAccount: { freeFailures: 5, windowSeconds: 15 * 60, maxLockSeconds: 15 * 60 },
  throttlePerAddress: { freeFailures: 20, windowSeconds: 15 * 60, maxLockSeconds: 15 * 60 },
  throttleSignUpPerAddress: { limit: 20, windowSeconds: 60 * 60 },
  verifiedCacheSize: 10_000,
  revocationRecheckMs: 30 * 1000,
  userStateCacheMs: 30 * 1000,
  pictureMaxBytes: 2 * 1024 * 1024,
  pictureMaxPixels: 40_000_000,
  pictureSize: 256,
  pictureSignedUrlSeconds: 24 * 3600,
  audience: 'dojo-api',
  clockToleranceSeconds: 5,
};

export type AccountsOptionsInput = Partial<AccountsOptions>;

export function resolveOptions(input: AccountsOptionsInput = {}): AccountsOptions {
  const options = { ...DEFAULT_OPTIONS, ...input };
  if (options.accessTokenTtlSeconds < 1 || options.accessTokenTtlSeconds > 15 * 60) {
    throw new Error('accessTokenTtlSeconds must be between 1 and 900');
  }
  if (
    !Number.isInteger(options.hashingThreads) ||
    options.hashingThreads < 1 ||
    options.hashingThreads > 64
  ) {
    throw new Error('hashingThreads must be an integer between 1 and 64');
  }
  if (!Number.isInteger(options.hashingQueue) || options.hashingQueue < 0) {
    throw new Error('hashingQueue must be a non-negative integer');
  }
  const signUps = options.throttleSignUpPerAddress;
  if (!(signUps.limit >= 1) || !(signUps.windowSeconds >= 1)) {
    throw new Error('throttleSignUpPerAddress needs a limit and a window of at least 1');
  }
  return options;
}
