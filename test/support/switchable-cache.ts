import { MemoryCache } from '../../server/adapters/cache-memory/index.ts';
import { unavailable } from '../../server/lib/errors.ts';

/** An in-memory cache that can be switched off, as Redis going away looks to the resilient wrapper. */
export class SwitchableCache extends MemoryCache {
  down = false;
  #check() {
    if (this.down) throw unavailable('CACHE.UNAVAILABLE', 'switched off');
  }
  override async get(key: string) {
    this.#check();
    return super.get(key);
  }
  override async set(key: string, value: string, ttl?: number) {
    this.#check();
    return super.set(key, value, ttl);
  }
  override async del(keys: readonly string[]) {
    this.#check();
    return super.del(keys);
  }
  override async exists(key: string) {
    this.#check();
    return super.exists(key);
  }
  override async expire(key: string, ttl: number) {
    this.#check();
    return super.expire(key, ttl);
  }
  override async sadd(key: string, m: readonly string[]) {
    this.#check();
    return super.sadd(key, m);
  }
  override async srem(key: string, m: readonly string[]) {
    this.#check();
    return super.srem(key, m);
  }
  override async smembers(key: string) {
    this.#check();
    return super.smembers(key);
  }
  override async sinter(keys: readonly string[]) {
    this.#check();
    return super.sinter(keys);
  }
  override async health() {
    this.#check();
  }
  override async flush() {
    this.#check();
    return super.flush();
  }
}
