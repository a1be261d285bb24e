import type { Position } from './cursor.ts';
import {
  createdAtOrAfter,
  createdAtOrBefore,
  langSet,
  parseMember,
  sortKey,
  tagSet,
  type PocIndex,
} from './index-sets.ts';
import type { Owner, Poc, PocRepo } from './repo.ts';

/** A search, normalized: `name` lower-cased, `language` the lower-cased key, tags normalized. */
export interface PocQuery {
  readonly name?: string;
  readonly language?: string;
  readonly tags: readonly string[];
  readonly favorite?: boolean;
  readonly year?: number;
}

export interface PageRequest {
  readonly limit: number;
  readonly after?: Position;
}

export interface SearchPage {
  readonly pocs: Poc[];
  /** Where the next page starts; absent on the last page. */
  readonly next?: Position;
  /** Which path answered: the Redis sets, or a scan of the store partition. */
  readonly source: 'sets' | 'store';
}

/** A filtered scan reads pages that grow from a few page-fulls to this many rows. */
const MAX_SCAN_PAGE = 1000;

export function yearRange(year: number): { from: Date; before: Date } {
  return { from: new Date(Date.UTC(year, 0, 1)), before: new Date(Date.UTC(year + 1, 0, 1)) };
}

export function matches(poc: Poc, q: PocQuery): boolean {
  if (q.name !== undefined && !poc.name.toLowerCase().includes(q.name)) return false;
  if (q.language !== undefined && poc.languageKey !== q.language) return false;
  if (q.favorite !== undefined && poc.favorite !== q.favorite) return false;
  if (q.tags.some((t) => !poc.tags.includes(t))) return false;
  if (q.year !== undefined) {
    const { from, before } = yearRange(q.year);
    if (poc.created < from || poc.created >= before) return false;
  }
  return true;
}

/** Newest first; ties (same millisecond) by id, as the table clusters them. */
export function compareNewestFirst(a: Position, b: Position): number {
  return b.created - a.created || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

const isAfter = (p: Position, after: Position | undefined) =>
  after === undefined || compareNewestFirst(after, p) < 0;

function page(found: Poc[], limit: number, source: SearchPage['source']): SearchPage {
  const pocs = found.sort((a, b) => compareNewestFirst(position(a), position(b))).slice(0, limit);
  const last = pocs.at(-1);
  return found.length > limit && last ? { pocs, next: position(last), source } : { pocs, source };
}

const position = (poc: Poc): Position => ({ created: poc.created.getTime(), id: poc.id });

/**
 * The store-only answer: the owner's partition newest first from the cursor on (the year is a range on
 * `created`), filtered row by row. It serves searches without a set filter, and every search while the
 * cache is unavailable.
 */
export async function scanStore(
  repo: PocRepo,
  owner: Owner,
  q: PocQuery,
  req: PageRequest,
): Promise<SearchPage> {
  const year = q.year === undefined ? undefined : yearRange(q.year);
  const upTo =
    req.after && (!year || req.after.created < year.before.getTime())
      ? { at: new Date(req.after.created), inclusive: true }
      : year
        ? { at: year.before, inclusive: false }
        : undefined;
  const filtered =
    q.name !== undefined || q.language !== undefined || q.favorite !== undefined || q.tags.length > 0;
  const found: Poc[] = [];
  let pageState: string | undefined;
  // Ties with the cursor's millisecond come back too and are skipped: one or two rows of slack.
  let pageSize = filtered ? 4 * (req.limit + 1) : req.limit + 2;
  do {
    const result = await repo.scan(owner, {
      ...(upTo ? { upTo } : {}),
      ...(year ? { from: year.from } : {}),
      pageSize,
      ...(pageState === undefined ? {} : { pageState }),
    });
    for (const poc of result.pocs) {
      if (isAfter(position(poc), req.after) && matches(poc, q)) found.push(poc);
    }
    pageState = result.pageState;
    pageSize = Math.min(MAX_SCAN_PAGE, pageSize * 4);
  } while (pageState !== undefined && found.length <= req.limit);
  return page(found, req.limit, 'store');
}

/** The sets a query intersects, and the one it subtracts; undefined when no set helps. */
export function setPlan(q: PocQuery): { include: string[]; exclude?: string } | undefined {
  const include = [...q.tags.map(tagSet), ...(q.language === undefined ? [] : [langSet(q.language)])];
  if (q.favorite === true) include.push('fav');
  if (q.favorite === false) return { include: include.length ? include : ['all'], exclude: 'fav' };
  return include.length ? { include } : undefined;
}

export interface PocSearchOptions {
  readonly repo: PocRepo;
  readonly index: PocIndex;
}

/**
 * Tag, language and favorite searches: SINTER of the user's sets, the ids ordered and paged by the sort key
 * their members carry, then only the POCs of the page fetched by primary key (plus one for the next-page
 * check) and verified against the query, so a stale member can never leak a wrong POC. A cold index is
 * rebuilt from the store once; with the cache unavailable the store answers alone.
 */
export class PocSearch {
  readonly #repo: PocRepo;
  readonly #index: PocIndex;

  constructor(options: PocSearchOptions) {
    this.#repo = options.repo;
    this.#index = options.index;
  }

  async search(owner: Owner, q: PocQuery, req: PageRequest): Promise<SearchPage> {
    const plan = setPlan(q);
    if (!plan) return scanStore(this.#repo, owner, q, req);
    let found = await this.#index.lookup(owner, plan.include, plan.exclude);
    if (found.kind === 'cold' && (await this.#index.rebuild(owner, () => this.#repo.all(owner)))) {
      found = await this.#index.lookup(owner, plan.include, plan.exclude);
    }
    if (found.kind !== 'hit') return scanStore(this.#repo, owner, q, req);
    return this.#fetch(owner, q, req, found.members);
  }

  async #fetch(owner: Owner, q: PocQuery, req: PageRequest, members: readonly string[]): Promise<SearchPage> {
    const year = q.year === undefined ? undefined : yearRange(q.year);
    // Bounds on members (exclusive): the cursor, and the year as keys no member can equal.
    const after = req.after ? sortKey(req.after) : '';
    const low = year ? createdAtOrBefore(year.before.getTime() - 1) : '';
    const high = year ? createdAtOrAfter(year.from.getTime()) : '~';
    let floor = after > low ? after : low;
    const found: Poc[] = [];
    for (;;) {
      const wanted = req.limit + 1 - found.length;
      // A name filter rejects rows the sets cannot: read ahead more than the page needs.
      const take = q.name === undefined ? wanted : Math.max(wanted, 50);
      const chunk = smallest(members, take, floor, high);
      const positions = chunk.map(parseMember).filter((p): p is Position => p !== undefined);
      const rows = await this.#repo.atMany(owner, positions);
      for (const poc of rows) if (poc && matches(poc, q)) found.push(poc);
      const last = chunk.at(-1);
      if (found.length > req.limit || last === undefined || chunk.length < take) break;
      floor = last;
    }
    return page(found, req.limit, 'sets');
  }
}

/**
 * The `count` smallest members strictly between `floor` and `ceiling`, in order: the members in range are
 * gathered, the `count` smallest moved to the front by a quickselect (a few comparisons per member, whatever
 * the set's size or order), and only those are sorted. Nothing is parsed.
 */
export function smallest(
  members: readonly string[],
  count: number,
  floor: string,
  ceiling: string,
): string[] {
  if (count <= 0) return [];
  const found: string[] = [];
  for (const m of members) if (m > floor && m < ceiling) found.push(m);
  if (found.length > count) {
    selectSmallest(found, count - 1);
    found.length = count;
  }
  // Default sort order is by UTF-16 code units, the order `<` compares strings in.
  return found.sort();
}

/** Rearranges `a` so that `a[target]` is what sorting would put there, with nothing larger before it. */
function selectSmallest(a: string[], target: number): void {
  let left = 0;
  let right = a.length - 1;
  while (right > left) {
    const mid = (left + right) >> 1;
    const [x, y, z] = [a[left] as string, a[mid] as string, a[right] as string];
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = left;
    let j = right;
    while (i <= j) {
      while ((a[i] as string) < pivot) i++;
      while ((a[j] as string) > pivot) j--;
      if (i <= j) {
        const t = a[i] as string;
        a[i++] = a[j] as string;
        a[j--] = t;
      }
    }
    if (target <= j) right = j;
    else if (target >= i) left = i;
    else return;
  }
}
