import { randomUUID } from 'node:crypto';
import type { Events } from '../../capabilities.ts';
import { notFound } from '../../lib/errors.ts';
import type { WriteOp } from '../../ports/store.ts';
import type { CursorCodec } from './cursor.ts';
import { pocEvent, updateType, type PocEventType } from './events.ts';
import { pageKey, type PocPage, type PocPageCache } from './page-cache.ts';
import { InlinePages, type PageMaker } from './page-maker.ts';
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
  readonly search: PocSearch;
  readonly cursors: CursorCodec;
  /** Where pages are computed (search threads); on the event loop with `search` when not given. */
  readonly pageMaker?: PageMaker;
  /** Search pages kept per version of the user's POCs; without it every search is computed. */
  readonly pages?: PocPageCache;
  readonly now?: () => number;
  /** Records POC facts for the reporting read model, when an events module runs. */
  readonly events?: () => Events | undefined;
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
 * The POC use cases. Writes of one user's POCs run one at a time on a node (`#writing`): a write reads the
 * facet counts it changes, so two interleaving on one node would leave a count off. Across nodes, writes
 * are ordered by their conditional base writes and `PocRepo.settle` (see README).
 */
export class PocService {
  readonly #repo: PocRepo;
  readonly #pageMaker: PageMaker;
  readonly #cursors: CursorCodec;
  readonly #pages: PocPageCache | undefined;
  readonly #now: () => number;
  readonly #events: () => Events | undefined;
  /** Per user, the last write queued on this node (removed when it is the last and it ends). */
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(options: PocServiceOptions) {
    this.#repo = options.repo;
    this.#cursors = options.cursors;
    this.#pageMaker =
      options.pageMaker ?? new InlinePages({ search: options.search, cursors: options.cursors });
    this.#pages = options.pages;
    this.#now = options.now ?? Date.now;
    this.#events = options.events ?? (() => undefined);
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
      await this.#repo.insert(owner, poc, this.#eventWrites(owner, 'poc.created', poc));
      return poc;
    });
  }

  async get(owner: Owner, id: string): Promise<Poc> {
    const poc = await this.#repo.find(owner, id);
    if (!poc) throw missing();
    return poc;
  }

  async update(owner: Owner, id: string, patch: PocPatch): Promise<Poc> {
    return this.#writing(owner, () => this.#update(owner, id, patch));
  }

  async #update(owner: Owner, id: string, patch: PocPatch): Promise<Poc> {
    let before = await this.get(owner, id);
    for (;;) {
      const after = patched(before, patch, this.#now());
      const events = this.#eventWrites(owner, updateType(before, after), after);
      const outcome = await this.#repo.update(owner, before, after, events);
      if (outcome === 'gone') throw missing();
      if (outcome === 'done') return after;
      // Another node's write came first: the patch applies to what it stored.
      before = outcome.current;
    }
  }

  /** Idempotent: marking a favorite twice changes nothing the second time. */
  async setFavorite(owner: Owner, id: string, favorite: boolean): Promise<Poc> {
    const poc = await this.get(owner, id);
    return poc.favorite === favorite ? poc : this.update(owner, id, { favorite });
  }

  async remove(owner: Owner, id: string): Promise<void> {
    await this.#writing(owner, async () => {
      let poc = await this.get(owner, id);
      for (;;) {
        const outcome = await this.#repo.remove(owner, poc, this.#eventWrites(owner, 'poc.deleted', poc));
        if (outcome === 'gone') throw missing();
        if (outcome === 'done') break;
        poc = outcome.current;
      }
    });
  }

  /**
   * The outbox rows of a write's event, written in the write's own batch (of the base row for a create, of
   * the search rows once the conditional write applied for an update or a delete): an answered write has
   * its event.
   */
  #eventWrites(owner: Owner, type: PocEventType, poc: Poc): WriteOp[] {
    return this.#events()?.writes([pocEvent(owner, type, poc, new Date(this.#now()))]) ?? [];
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
    const page = await this.#pageMaker.page(
      owner,
      q,
      { limit: options.limit, ...(after ? { after } : {}) },
      scope,
    );
    if (key !== undefined) this.#pages?.set(key, page);
    return page;
  }

  /**
   * Runs a write after the user's earlier writes on this node, then retires the user's cached pages, also
   * when the write failed (it may have been applied all the same): after the store, so no search can
   * cache the old state anew.
   */
  async #writing<T>(owner: Owner, write: () => Promise<T>): Promise<T> {
    const user = `${owner.tenantId}:${owner.userId}`;
    const earlier = this.#queues.get(user);
    const run = (async () => {
      await earlier?.catch(() => undefined);
      try {
        return await write();
      } finally {
        await this.#pages?.bump(owner);
      }
    })();
    const settled = run.catch(() => undefined);
    this.#queues.set(user, settled);
    void settled.then(() => {
      if (this.#queues.get(user) === settled) this.#queues.delete(user);
    });
    return run;
  }
}

/** `before` with the patch applied; `updated` always moves forward (it is the version writes check). */
function patched(before: Poc, patch: PocPatch, now: number): Poc {
  const merged = {
    ...before,
    ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
  };
  return {
    ...before,
    ...fields(merged),
    languageKey: languageKey(merged.language),
    updated: new Date(Math.max(now, before.updated.getTime() + 1)),
  };
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
