import type { Position } from './cursor.ts';
import { FAVORITE_FACET, GRAM, gramsOf, languageFacet, rarestGram, tagFacet } from './facets.ts';
import type { Owner, Poc, PocRepo, ScanOptions } from './repo.ts';

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
  /** Which table answered: a facet slice, a gram slice (then rows by key), or the user's partition. */
  readonly source: 'facet' | 'gram' | 'store';
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

/** One page of a slice newest first, from the bounds a scan was given. */
type Slice<T> = (options: ScanOptions) => Promise<{ items: T[]; pageState?: string }>;

/**
 * Reads a slice newest first from the cursor on (the year is a range on `created`), keeping what `keep`
 * accepts of the rows after the cursor, until the page plus one is found or the slice ends. Pages grow
 * from a few page-fulls to MAX_SCAN_PAGE rows.
 */
async function collect<T extends Position>(
  slice: Slice<T>,
  q: PocQuery,
  req: PageRequest,
  filtered: boolean,
  keep: (item: T) => boolean,
): Promise<T[]> {
  const year = q.year === undefined ? undefined : yearRange(q.year);
  const upTo =
    req.after && (!year || req.after.created < year.before.getTime())
      ? { at: new Date(req.after.created), inclusive: true }
      : year
        ? { at: year.before, inclusive: false }
        : undefined;
  const found: T[] = [];
  let pageState: string | undefined;
  // Ties with the cursor's millisecond come back too and are skipped: one or two rows of slack.
  let pageSize = filtered ? 4 * (req.limit + 1) : req.limit + 2;
  do {
    const result = await slice({
      ...(upTo ? { upTo } : {}),
      ...(year ? { from: year.from } : {}),
      pageSize,
      ...(pageState === undefined ? {} : { pageState }),
    });
    for (const item of result.items) if (isAfter(item, req.after) && keep(item)) found.push(item);
    pageState = result.pageState;
    pageSize = Math.min(MAX_SCAN_PAGE, pageSize * 4);
  } while (pageState !== undefined && found.length <= req.limit);
  return found;
}

/**
 * The store-only answer: the owner's partition, filtered row by row. It serves searches without a facet
 * (listings, `favorite=false`, names shorter than a gram), and is what the tests compare the others with.
 */
export async function scanStore(
  repo: PocRepo,
  owner: Owner,
  q: PocQuery,
  req: PageRequest,
): Promise<SearchPage> {
  const filtered =
    q.name !== undefined || q.language !== undefined || q.favorite !== undefined || q.tags.length > 0;
  const slice: Slice<PositionedPoc> = async (options) => {
    const page = await repo.scan(owner, options);
    return {
      items: page.pocs.map(positioned),
      ...(page.pageState === undefined ? {} : { pageState: page.pageState }),
    };
  };
  const found = await collect(slice, q, req, filtered, (p) => matches(p.poc, q));
  return page(
    found.map((p) => p.poc),
    req.limit,
    'store',
  );
}

interface PositionedPoc extends Position {
  readonly poc: Poc;
}

const positioned = (poc: Poc): PositionedPoc => ({ created: poc.created.getTime(), id: poc.id, poc });

/** The whole-POC facets a query names (tags, language, favorites), and the grams of its name. */
export function facetPlan(q: PocQuery): { facets: string[]; grams: string[] } {
  const facets = [...q.tags.map(tagFacet), ...(q.language === undefined ? [] : [languageFacet(q.language)])];
  if (q.favorite === true) facets.push(FAVORITE_FACET);
  const grams = q.name !== undefined && q.name.length >= GRAM ? gramsOf(q.name) : [];
  return { facets, grams };
}

export interface PocSearchOptions {
  readonly repo: PocRepo;
}

/**
 * Query-first search. A query with tags, a language or `favorite=true` reads one facet partition of whole
 * POCs, the one with the fewest POCs when it names several (the counts are read first), and filters the
 * rest of the query row by row. A name query without those reads a trigram's partition of names (the one
 * of the rarest letters),
 * keeps the names that contain the substring, and fetches just those POCs by key. Anything else scans
 * the user's partition. Every answer is verified against the whole query, newest first from the cursor.
 */
export class PocSearch {
  readonly #repo: PocRepo;

  constructor(options: PocSearchOptions) {
    this.#repo = options.repo;
  }

  async search(owner: Owner, q: PocQuery, req: PageRequest): Promise<SearchPage> {
    const { facets, grams } = facetPlan(q);
    if (facets.length) {
      const facet = await this.#rarest(owner, facets);
      const slice: Slice<PositionedPoc> = async (options) => {
        const page = await this.#repo.slice(owner, facet, options);
        return {
          items: page.pocs.map(positioned),
          ...(page.pageState === undefined ? {} : { pageState: page.pageState }),
        };
      };
      // Only what the slice does not answer itself filters rows out: read ahead only then.
      const filtered = facets.length > 1 || q.name !== undefined || q.favorite === false;
      const found = await collect(slice, q, req, filtered, (p) => matches(p.poc, q));
      return page(
        found.map((p) => p.poc),
        req.limit,
        'facet',
      );
    }
    if (grams.length) return this.#byName(owner, q, req, rarestGram(grams));
    return scanStore(this.#repo, owner, q, req);
  }

  /** The candidate with the lowest count (one read of the counts when there is a choice). */
  async #rarest(owner: Owner, candidates: readonly string[]): Promise<string> {
    const [first = ''] = candidates;
    if (candidates.length === 1) return first;
    const counts = await this.#repo.counts(owner, candidates);
    let best = first;
    let fewest = Infinity;
    for (const c of candidates) {
      const n = counts.get(c) ?? 0;
      if (n < fewest) [best, fewest] = [c, n];
    }
    return best;
  }

  /**
   * Each page of the gram's names is narrowed to the names holding the substring, and those POCs are read
   * by key (one statement per page); a name row whose POC is gone simply yields nothing.
   */
  async #byName(owner: Owner, q: PocQuery, req: PageRequest, gram: string): Promise<SearchPage> {
    const name = q.name ?? '';
    const slice: Slice<PositionedPoc> = async (options) => {
      const page = await this.#repo.named(owner, gram, options);
      const hits = page.found.filter((c) => isAfter(c, req.after) && c.name.toLowerCase().includes(name));
      const pocs = hits.length ? await this.#repo.atMany(owner, hits) : [];
      const items = pocs.filter((p): p is Poc => p !== undefined).map(positioned);
      return { items, ...(page.pageState === undefined ? {} : { pageState: page.pageState }) };
    };
    // Most names in a gram's partition hold the whole substring: start near the page size.
    const filtered = q.language !== undefined || q.favorite !== undefined || q.tags.length > 0;
    const found = await collect(slice, q, req, filtered, (p) => matches(p.poc, q));
    return page(
      found.map((p) => p.poc),
      req.limit,
      'gram',
    );
  }
}
