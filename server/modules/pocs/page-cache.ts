import { randomUUID } from 'node:crypto';
import type { Cache } from '../../ports/cache.ts';
import type { Owner } from './repo.ts';
import type { SearchPage } from './search.ts';

/** One page of a search, as the service answers it; cached pages are shared, so nobody may change one. */
export interface PocPage {
  /** The response body, `{pocs, nextCursor}` as JSON, made once where the page was computed. */
  readonly json: Buffer;
  /** How many POCs the page holds. */
  readonly count: number;
  readonly nextCursor: string | null;
  /** Which table answered (see SearchPage). */
  readonly source: SearchPage['source'];
}

export interface PocPageCacheOptions {
  readonly cache: Cache;
  /** Lifetime of a user's version key after the last write or miss that set it. */
  readonly ttlSeconds: number;
  readonly maxPages?: number;
  /** A rough bound on the memory the pages hold (see sizeOf). */
  readonly maxBytes?: number;
}

interface Entry {
  readonly page: PocPage;
  readonly bytes: number;
  /** Read since it last reached the old end of the map: it gets a second chance instead of eviction. */
  used: boolean;
}

const versionKey = (owner: Owner) => `pocs:{${owner.tenantId}:${owner.userId}}:version`;

/** Approximate memory of a page: its JSON bytes, its cursor (2 bytes a character), the objects around them. */
const sizeOf = (page: PocPage): number => page.json.length + (page.nextCursor?.length ?? 0) * 2 + 200;

/**
 * Search pages kept in process, keyed by the user's *version*: a random token in the shared cache that every
 * write replaces once its store and set writes are done (tokens are never reused, so a key that expired or
 * was evicted can never bring back an older page). A search reads the version before it reads anything
 * else and stores its page under that version, so a page is only ever served to searches that started
 * after every write it could have missed had already bumped the version: any node sees another node's
 * write on its next search. When the cache cannot answer, nothing is served from or added to the pages.
 */
export class PocPageCache {
  readonly #cache: Cache;
  readonly #ttl: number;
  readonly #maxPages: number;
  readonly #maxBytes: number;
  readonly #pages = new Map<string, Entry>();
  #bytes = 0;

  constructor(options: PocPageCacheOptions) {
    this.#cache = options.cache;
    this.#ttl = options.ttlSeconds;
    this.#maxPages = Math.max(1, options.maxPages ?? 2000);
    this.#maxBytes = Math.max(1, options.maxBytes ?? 32 * 1024 * 1024);
  }

  /**
   * The user's current version; a missing one is created. Undefined when the cache cannot say (then the
   * search must neither use nor store pages).
   */
  async version(owner: Owner): Promise<string | undefined> {
    const key = versionKey(owner);
    const current = await this.#cache.get(key);
    if (current !== undefined) return current;
    await this.#cache.set(key, randomUUID(), this.#ttl);
    // Read back: a racing write or search may have set another token, and an unreachable cache sets none.
    return this.#cache.get(key);
  }

  /** After every write (successful or not) of the user's POCs: pages cached before it are never served again. */
  async bump(owner: Owner): Promise<void> {
    await this.#cache.set(versionKey(owner), randomUUID(), this.#ttl);
  }

  get(key: string): PocPage | undefined {
    const entry = this.#pages.get(key);
    if (!entry) return undefined;
    entry.used = true;
    return entry.page;
  }

  /**
   * Evicts in insertion order, but a page read since it was added or last spared goes back to the new
   * end once (the "clock" approximation of least-recently-used: a hit costs a flag, not a re-insertion).
   */
  set(key: string, page: PocPage): void {
    const bytes = sizeOf(page);
    if (bytes > this.#maxBytes) return;
    this.#drop(key);
    this.#pages.set(key, { page, bytes, used: false });
    this.#bytes += bytes;
    while (this.#pages.size > this.#maxPages || this.#bytes > this.#maxBytes) {
      const [oldest, entry] = this.#pages.entries().next().value ?? [];
      if (oldest === undefined || entry === undefined) break;
      this.#pages.delete(oldest);
      if (entry.used && oldest !== key) {
        entry.used = false;
        this.#pages.set(oldest, entry);
      } else {
        this.#bytes -= entry.bytes;
      }
    }
  }

  get size(): number {
    return this.#pages.size;
  }

  clear(): void {
    this.#pages.clear();
    this.#bytes = 0;
  }

  #drop(key: string): void {
    const entry = this.#pages.get(key);
    if (!entry) return;
    this.#pages.delete(key);
    this.#bytes -= entry.bytes;
  }
}

/** The in-process key of a page: the version, the search (caller and filters), the page size and cursor. */
export const pageKey = (version: string, scope: string, limit: number, cursor: string | undefined): string =>
  `${version}\n${scope}\n${limit}\n${cursor ?? ''}`;
