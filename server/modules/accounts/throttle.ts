import { AppError } from '../../lib/errors.ts';
import type { Cache } from '../../ports/cache.ts';
import type { ThrottleRule } from './options.ts';

const PREFIX = 'accounts:login';

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
 */
export class LoginThrottle {
  readonly #cache: Cache;
  readonly #account: ThrottleRule;
  readonly #address: ThrottleRule;

  constructor(options: {
    readonly cache: Cache;
    readonly perAccount: ThrottleRule;
    readonly perAddress: ThrottleRule;
  }) {
    this.#cache = options.cache;
    this.#account = options.perAccount;
    this.#address = options.perAddress;
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

const part = (id: string) => encodeURIComponent(id.toLowerCase().slice(0, 100));
const failKey = (kind: string, id: string) => `${PREFIX}:fail:${kind}:${part(id)}`;
const lockKey = (kind: string, id: string) => `${PREFIX}:lock:${kind}:${part(id)}`;
