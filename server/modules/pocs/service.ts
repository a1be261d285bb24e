import { randomUUID } from 'node:crypto';
import { notFound } from '../../lib/errors.ts';
import type { CursorCodec } from './cursor.ts';
import { setsOf, type PocIndex } from './index-sets.ts';
import { pageKey, type PocPage, type PocPageCache } from './page-cache.ts';
import { languageKey, sortTags, type Owner, type Poc, type PocFields, type PocRepo } from './repo.ts';
import type { PocQuery, PocSearch } from './search.ts';

export interface PocInput {
  readonly name: string;
  readonly language: string;
  readonly tags?: readonly string[];
  readonly repoUrl: string;
  readonly description?: string;
  readonly favorite?: boolean;
}

export type PocPatch = Partial<PocInput>;

export interface PocServiceOptions {
  readonly repo: PocRepo;
  readonly index: PocIndex;
  readonly search: PocSearch;
  readonly cursors: CursorCodec;
  /** Search pages kept per version of the user's POCs; without it every search is computed. */
  readonly pages?: PocPageCache;
  readonly now?: () => number;
}

const missing = () => notFound('POC.NOT_FOUND', 'No such POC.');

/** What a cursor is bound to: the caller and the filters (not the page size). */
export function searchScope(owner: Owner, q: PocQuery): string {
  return JSON.stringify([
    owner.tenantId,
    owner.userId,
    q.name ?? null,
    q.language ?? null,
    q.tags,
    q.favorite ?? null,
    q.year ?? null,
  ]);
}

/**
 * The POC use cases. Every write goes to the store first and then to the Redis sets, so the sets never
 * claim a POC the store does not have; a failed set write is handled by the index (see index-sets.ts).
 */
export class PocService {
  readonly #repo: PocRepo;
  readonly #index: PocIndex;
  readonly #search: PocSearch;
  readonly #cursors: CursorCodec;
  readonly #pages: PocPageCache | undefined;
  readonly #now: () => number;

  constructor(options: PocServiceOptions) {
    this.#repo = options.repo;
    this.#index = options.index;
    this.#search = options.search;
    this.#cursors = options.cursors;
    this.#pages = options.pages;
    this.#now = options.now ?? Date.now;
  }

  async create(owner: Owner, input: PocInput): Promise<Poc> {
    const now = new Date(this.#now());
    const poc: Poc = {
      id: randomUUID(),
      ...fields(input),
      languageKey: languageKey(input.language),
      created: now,
      updated: now,
    };
    return this.#writing(owner, async () => {
      await this.#repo.insert(owner, poc);
      await this.#index.added(owner, poc);
      return poc;
    });
  }

  async get(owner: Owner, id: string): Promise<Poc> {
    const poc = await this.#repo.find(owner, id);
    if (!poc) throw missing();
    return poc;
  }

  async update(owner: Owner, id: string, patch: PocPatch): Promise<Poc> {
    const before = await this.get(owner, id);
    const merged = {
      ...before,
      ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
    };
    const after: Poc = {
      ...before,
      ...fields(merged),
      languageKey: languageKey(merged.language),
      updated: new Date(Math.max(this.#now(), before.updated.getTime())),
    };
    return this.#writing(owner, async () => {
      if (!(await this.#repo.update(owner, after))) throw missing();
      await this.#index.changed(owner, before, after);
      await this.#settle(owner, after);
      return after;
    });
  }

  /** Idempotent: marking a favorite twice changes nothing the second time. */
  async setFavorite(owner: Owner, id: string, favorite: boolean): Promise<Poc> {
    const poc = await this.get(owner, id);
    return poc.favorite === favorite ? poc : this.update(owner, id, { favorite });
  }

  async remove(owner: Owner, id: string): Promise<void> {
    const poc = await this.get(owner, id);
    await this.#writing(owner, async () => {
      await this.#repo.remove(owner, poc);
      await this.#index.removed(owner, poc);
    });
  }

  async list(
    owner: Owner,
    q: PocQuery,
    options: { readonly limit: number; readonly cursor?: string | undefined },
  ): Promise<PocPage> {
    const scope = searchScope(owner, q);
    const after = options.cursor === undefined ? undefined : this.#cursors.decode(options.cursor, scope);
    // The version is read before anything the page is computed from (see PocPageCache).
    const version = await this.#pages?.version(owner);
    const key = version === undefined ? undefined : pageKey(version, scope, options.limit, options.cursor);
    const cached = key === undefined ? undefined : this.#pages?.get(key);
    if (cached) return cached;
    const found = await this.#search.search(owner, q, { limit: options.limit, ...(after ? { after } : {}) });
    const page: PocPage = {
      pocs: found.pocs,
      nextCursor: found.next ? this.#cursors.encode(found.next, scope) : null,
      source: found.source,
    };
    if (key !== undefined) this.#pages?.set(key, page);
    return page;
  }

  /**
   * Runs a write, then retires the user's cached pages, also when the write failed (it may have been
   * applied all the same): after the store and the sets, so no search can cache the old state anew.
   */
  async #writing<T>(owner: Owner, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } finally {
      await this.#pages?.bump(owner);
    }
  }

  /**
   * Two edits of one POC racing each other can apply their set changes in another order than their store
   * writes (one removing a tag after the other re-added it). Re-reading the row after our set changes and
   * adding it to the sets it is in now closes that gap: sets may keep a stale extra (searches verify the
   * rows they fetch), never miss a member.
   */
  async #settle(owner: Owner, written: Poc): Promise<void> {
    const current = await this.#repo.at(owner, written.created.getTime(), written.id);
    if (!current) return;
    const now = setsOf(current).sort().join('\n');
    if (now !== setsOf(written).sort().join('\n')) await this.#index.added(owner, current);
  }
}

function fields(input: PocInput): PocFields {
  return {
    name: input.name,
    language: input.language,
    tags: sortTags(input.tags ?? []),
    repoUrl: input.repoUrl,
    description: input.description ?? '',
    favorite: input.favorite ?? false,
  };
}
