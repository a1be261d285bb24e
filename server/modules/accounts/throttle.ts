import { createHash } from 'node:crypto';
import { AppError } from '../../lib/errors.ts';
import type { Cache } from '../../ports/cache.ts';
import type { RateLimit, ThrottleRule } from './options.ts';

const PREFIX = 'accounts:login';
const SIGN_UP_PREFIX = 'accounts:signup';

/** How long the n-th failure locks: nothing up to the free failures, then 2^(n - free) seconds, capped. */
export function lockSeconds(failures: number, rule: ThrottleRule): number {
  if (failures <= rule.freeFailures) return 0;
  return Math.min(2 ** Math.min(failures - rule.freeFailures, 30), rule.maxLockSeconds);
}

/**
 * Login throttling through the Cache port (Redis when configured, so every node counts the same failures).
 * Failures are counted per username (known or not, so throttling reveals nothing) and per client address,
 * in a window that slides with each failure; past the free failures each one locks the key for a growing
 * time. A successful login clears the account's counter, not the address's.
 *
 * Sign-ups are counted per client address too, but every attempt counts (not only failures): at most
 * `signUpPerAddress.limit` in a fixed window that starts with the first attempt, then 429 until it ends.
 */
export class LoginThrottle {
  readonly #cache: Cache;
  readonly #account: ThrottleRule;
  readonly #address: ThrottleRule;
  readonly #signUps: RateLimit;

  constructor(options: {
    readonly cache: Cache;
    readonly perAccount: ThrottleRule;
    readonly perAddress: ThrottleRule;
    readonly signUpPerAddress: RateLimit;
  }) {
    this.#cache = options.cache;
    this.#account = options.perAccount;
    this.#address = options.perAddress;
    this.#signUps = options.signUpPerAddress;
  }

  /**
   * Counts a sign-up attempt from `address` and throws a 429 AppError with Retry-After (the rest of the
   * window) when it is over the limit. The count comes first and is atomic, so a burst of concurrent
   * sign-ups gets exactly `limit` through; refused attempts count too but do not extend the window.
   */
  async admitSignUp(address: string): Promise<void> {
    const key = `${SIGN_UP_PREFIX}:addr:${part(address)}`;
    const rule = this.#signUps;
    const attempts = await this.#cache.incr(key, rule.windowSeconds);
    if (attempts <= rule.limit) return;
    const ttl = await this.#cache.ttl(key);
    // A counter without expiry (a lost EXPIRE) would lock the address for good: give it its window again.
    if (ttl === -1) await this.#cache.expire(key, rule.windowSeconds);
    const wait = ttl === undefined || ttl < 0 ? rule.windowSeconds : Math.max(1, ttl);
    throw new AppError('ACCOUNT.TOO_MANY_SIGN_UPS', 'Too many sign-ups from your address; try again later.', {
      kind: 'THROTTLED',
      retryAfterSeconds: wait,
    });
  }

  /** Throws a 429 AppError with Retry-After while the account or the address is locked. */
  async check(username: string, address: string): Promise<void> {
    const waits = await Promise.all([
      this.#cache.ttl(lockKey('user', username)),
      this.#cache.ttl(lockKey('addr', address)),
    ]);
    const wait = Math.max(...waits.map((t) => (t === undefined || t < 0 ? 0 : Math.max(1, t))));
    if (wait > 0) {
      throw new AppError('AUTH.TOO_MANY_ATTEMPTS', 'Too many failed sign-in attempts; try again later.', {
        kind: 'THROTTLED',
        retryAfterSeconds: wait,
      });
    }
  }

  async failure(username: string, address: string): Promise<void> {
    await Promise.all([
      this.#count('user', username, this.#account),
      this.#count('addr', address, this.#address),
    ]);
  }

  async success(username: string): Promise<void> {
    await this.#cache.del([failKey('user', username), lockKey('user', username)]);
  }

  async #count(kind: string, id: string, rule: ThrottleRule): Promise<void> {
    const key = failKey(kind, id);
    const failures = await this.#cache.incr(key, rule.windowSeconds);
    await this.#cache.expire(key, rule.windowSeconds);
    const lock = lockSeconds(failures, rule);
    if (lock > 0) await this.#cache.set(lockKey(kind, id), String(failures), lock);
  }
}

/**
 * The key part of a username or address: total on every string (a lone surrogate, NUL, 10 KB) and of fixed
 * length, so nothing a client sends can break key building or collide by truncation, and the cache holds
 * no usernames or addresses in clear. Lower-cased, so `Erin` and `erin` (and IPv6 spellings) count alike.
 */
const part = (id: string) =>
  createHash('sha256').update(id.toWellFormed().toLowerCase(), 'utf8').digest('base64url');
const failKey = (kind: string, id: string) => `${PREFIX}:fail:${kind}:${part(id)}`;
const lockKey = (kind: string, id: string) => `${PREFIX}:lock:${kind}:${part(id)}`;
