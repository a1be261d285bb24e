import type { Logger } from '../../lib/log.ts';
import type { Cache } from '../../ports/cache.ts';
import type { Position } from './cursor.ts';
import type { Owner, Poc } from './repo.ts';

/**
 * The Redis-set index of one user's POCs (seed §6.4): `all`, `fav`, `tag:<tag>` and `lang:<language>`
 * sets under `pocs:{<tenant>:<user>}:` (one Redis Cluster hash slot per user, so SINTER works there too).
 * A member is `<sort key>:<id>` (see sortKey): it carries the listing order, so a search orders and pages
 * the ids of a SINTER without reading a single row, then fetches only the POCs it returns by primary key.
 *
 * Knowing what the sets mean needs more than their presence, because the resilient cache deletes keys
 * whose writes it missed during an outage and Redis drops emptied sets:
 * - a set built complete (by a rebuild, or by a write when the index was known not to have it yet) holds
 *   the sentinel member `~`; a set re-created by a later write after its key was invalidated lacks it, so
 *   "the intersection contains the sentinel" proves every set in it is complete;
 * - `:indexed` (a string, written last by a rebuild) says the index was built, and `:sets` (a set) names
 *   every set it has; a name missing from a valid catalogue means no POC has that tag or language.
 * Anything else (a listed set missing or incomplete, no marker, no catalogue) is "cold": rebuild from the
 * store. Sets may hold stale members (a write racing a rebuild); searches verify the rows they fetch, so
 * the one thing the sets must never do is miss a member, which the write order (store first, then the
 * sets, adding before listing) guarantees.
 */
export const SENTINEL = '~';
const CHUNK = 1000;

export type Lookup =
  | { readonly kind: 'hit'; readonly members: readonly string[] }
  | { readonly kind: 'cold' }
  | { readonly kind: 'down' };

/** Epoch milliseconds are stored as `SPAN - created`, 15 digits: good until the year 33658. */
const SPAN = 999_999_999_999_999;
const DIGITS = 15;
const MEMBER = /^(\d{15}):(.+)$/;

/**
 * The member for a position: ascending string order of members is the listing order (newest first, then
 * id), so a search selects, bounds and pages members by comparing strings, without parsing them.
 */
export const sortKey = (p: Position): string => `${String(SPAN - p.created).padStart(DIGITS, '0')}:${p.id}`;

/** Members at or after this key were created at or before `created` (the key of an exclusive lower bound). */
export const createdAtOrBefore = (created: number): string =>
  `${String(SPAN - created).padStart(DIGITS, '0')}:`;

/** Members before this key were created at or after `created`. */
export const createdAtOrAfter = (created: number): string =>
  `${String(SPAN - created).padStart(DIGITS, '0')};`;

export const memberOf = (poc: Pick<Poc, 'created' | 'id'>): string =>
  sortKey({ created: poc.created.getTime(), id: poc.id });

export function parseMember(member: string): Position | undefined {
  const match = MEMBER.exec(member);
  return match?.[1] && match[2] ? { created: SPAN - Number(match[1]), id: match[2] } : undefined;
}

export const tagSet = (tag: string) => `tag:${tag}`;
export const langSet = (key: string) => `lang:${key}`;

/** The sets a POC belongs to. */
export const setsOf = (poc: Pick<Poc, 'tags' | 'languageKey' | 'favorite'>): string[] => [
  'all',
  langSet(poc.languageKey),
  ...poc.tags.map(tagSet),
  ...(poc.favorite ? ['fav'] : []),
];

export interface PocIndexOptions {
  readonly cache: Cache;
  readonly logger: Logger;
  /** Every index key expires this long after its last rebuild or write; a later search rebuilds it. */
  readonly ttlSeconds: number;
}

export class PocIndex {
  readonly #cache: Cache;
  readonly #logger: Logger;
  readonly #ttl: number;
  /** One rebuild per user at a time on this node; concurrent cold searches wait for it. */
  readonly #rebuilding = new Map<string, Promise<boolean>>();

  constructor(options: PocIndexOptions) {
    this.#cache = options.cache;
    this.#logger = options.logger;
    this.#ttl = options.ttlSeconds;
  }

  prefix(owner: Owner): string {
    return `pocs:{${owner.tenantId}:${owner.userId}}:`;
  }

  /** Members in every `include` set and not in `exclude`, or why the sets cannot answer. */
  async lookup(owner: Owner, include: readonly string[], exclude?: string): Promise<Lookup> {
    const p = this.prefix(owner);
    const [inter, excluded] = await Promise.all([
      // One set needs no intersection: SMEMBERS is the cheaper read.
      include.length === 1
        ? this.#cache.smembers(p + include[0])
        : this.#cache.sinter(include.map((n) => p + n)),
      exclude === undefined ? undefined : this.#cache.smembers(p + exclude),
    ]);
    const sentinel = inter?.indexOf(SENTINEL) ?? -1;
    if (inter && sentinel >= 0 && (exclude === undefined || excluded?.includes(SENTINEL))) {
      // The arrays are ours (the cache answers copies): drop the sentinel in place, in one native move.
      inter.splice(sentinel, 1);
      if (!excluded) return { kind: 'hit', members: inter };
      const skip = new Set(excluded);
      return { kind: 'hit', members: inter.filter((m) => !skip.has(m)) };
    }
    const [marker, catalogue] = await Promise.all([
      this.#cache.exists(`${p}indexed`),
      this.#cache.smembers(`${p}sets`),
    ]);
    if (marker === undefined) return { kind: 'down' };
    if (!marker || catalogue === undefined) return { kind: 'cold' };
    const listed = new Set(catalogue);
    if (include.some((n) => !listed.has(n))) return { kind: 'hit', members: [] };
    return { kind: 'cold' };
  }

  /**
   * Rebuilds the user's sets from a full read of the partition: drop the old sets, read the store, fill the
   * sets, list them, then write the marker. The drop comes before the read, so a POC written meanwhile
   * is either in the read or added to the sets after the drop. False when the cache is unavailable.
   */
  rebuild(owner: Owner, load: () => AsyncIterable<Poc>): Promise<boolean> {
    const p = this.prefix(owner);
    let running = this.#rebuilding.get(p);
    if (!running) {
      running = this.#rebuild(p, load).finally(() => this.#rebuilding.delete(p));
      this.#rebuilding.set(p, running);
    }
    return running;
  }

  async #rebuild(p: string, load: () => AsyncIterable<Poc>): Promise<boolean> {
    if ((await this.#cache.exists(`${p}indexed`)) === undefined) return false;
    const old = (await this.#cache.smembers(`${p}sets`)) ?? [];
    await this.#cache.del([`${p}indexed`, `${p}sets`, ...old.map((n) => p + n)]);
    const sets = new Map<string, string[]>([
      ['all', []],
      ['fav', []],
    ]);
    let count = 0;
    for await (const poc of load()) {
      const member = memberOf(poc);
      for (const name of setsOf(poc)) {
        const members = sets.get(name);
        if (members) members.push(member);
        else sets.set(name, [member]);
      }
      count++;
    }
    // The sentinel goes in with the last chunk of each set: a search must never see it before every member.
    const fill = async (name: string, members: readonly string[]) => {
      let i = 0;
      for (; i + CHUNK < members.length; i += CHUNK)
        await this.#cache.sadd(p + name, members.slice(i, i + CHUNK));
      await this.#cache.sadd(p + name, [...members.slice(i), SENTINEL]);
    };
    await Promise.all([...sets].map(([name, members]) => fill(name, members)));
    const names = [...sets.keys()];
    for (let i = 0; i < names.length; i += CHUNK)
      await this.#cache.sadd(`${p}sets`, names.slice(i, i + CHUNK));
    await Promise.all([...names.map((n) => p + n), `${p}sets`].map((k) => this.#cache.expire(k, this.#ttl)));
    await this.#cache.set(`${p}indexed`, String(Date.now()), this.#ttl);
    const built = (await this.#cache.exists(`${p}indexed`)) === true;
    this.#logger.debug({ prefix: p, pocs: count, sets: sets.size, built }, 'poc index rebuilt');
    return built;
  }

  added(owner: Owner, poc: Poc): Promise<void> {
    return this.#apply(owner, memberOf(poc), setsOf(poc), []);
  }

  removed(owner: Owner, poc: Poc): Promise<void> {
    return this.#apply(owner, memberOf(poc), [], setsOf(poc));
  }

  /** Re-adds to every set of `after`, not only the new ones: idempotent, and it repairs racing edits. */
  changed(owner: Owner, before: Poc, after: Poc): Promise<void> {
    const is = setsOf(after);
    return this.#apply(
      owner,
      memberOf(after),
      is,
      setsOf(before).filter((n) => !is.includes(n)),
    );
  }

  /**
   * Runs after the store write. A set the valid index does not list yet starts complete (with the
   * sentinel), so it is listed after it is filled; a listed set whose key went missing is re-created
   * without the sentinel, which marks it incomplete until the next rebuild. With the cache unreachable
   * the marker is dropped too (the resilient cache replays that on recovery), so the user's sets are
   * rebuilt instead of trusted.
   */
  async #apply(
    owner: Owner,
    member: string,
    add: readonly string[],
    remove: readonly string[],
  ): Promise<void> {
    const p = this.prefix(owner);
    const [marker, catalogue] = await Promise.all([
      this.#cache.exists(`${p}indexed`),
      this.#cache.smembers(`${p}sets`),
    ]);
    if (marker === undefined) await this.#cache.del([`${p}indexed`]);
    const listed = marker === true && catalogue !== undefined ? new Set(catalogue) : undefined;
    const fresh = listed ? add.filter((n) => !listed.has(n)) : [];
    await Promise.all([
      ...remove.map((n) => this.#cache.srem(p + n, [member])),
      ...add.map((n) => this.#cache.sadd(p + n, fresh.includes(n) ? [SENTINEL, member] : [member])),
    ]);
    if (fresh.length) await this.#cache.sadd(`${p}sets`, fresh);
    await Promise.all(add.map((n) => this.#cache.expire(p + n, this.#ttl)));
  }
}
