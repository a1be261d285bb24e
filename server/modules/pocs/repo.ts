import { type Page, type Row, type Store, type WriteOp, textOf, dateOf } from '../../ports/store.ts';
import type { Position } from './cursor.ts';
import { facetsOf, gramsOf, without } from './facets.ts';
import { TABLES } from './schema.ts';
import {
  countedKeys,
  facetDeletes,
  facetInserts,
  gramDeletes,
  gramInserts,
  ownerCells,
  fieldsRow,
  pocRow,
  searchInserts,
} from './search-rows.ts';

/** Whose POCs: every read and write names the owner, so nothing crosses users or tenants. */
export interface Owner {
  readonly tenantId: string;
  readonly userId: string;
}

export interface PocFields {
  readonly name: string;
  readonly language: string;
  /** Trimmed, lower-cased, unique, in the store's order (sorted). */
  readonly tags: readonly string[];
  readonly repoUrl: string;
  readonly description: string;
  readonly favorite: boolean;
}

export interface Poc extends PocFields {
  readonly id: string;
  /** Lower-cased language: what searches compare. */
  readonly languageKey: string;
  readonly created: Date;
  readonly updated: Date;
}

export interface ScanOptions {
  /** Only POCs created before this instant, or at it too when inclusive (keyset pagination ties). */
  readonly upTo?: { readonly at: Date; readonly inclusive: boolean };
  /** Only POCs created at or after this instant. */
  readonly from?: Date;
  readonly pageSize: number;
  readonly pageState?: string;
}

export const languageKey = (language: string): string => language.toLowerCase();

/** The order the store keeps `set<text>` in (UTF-8 bytes), so a POC reads back as it was returned. */
export const sortTags = (tags: Iterable<string>): string[] =>
  [...new Set(tags)].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

export function pocOf(row: Row): Poc {
  return {
    id: textOf(row.id),
    name: textOf(row.name),
    language: textOf(row.language),
    languageKey: textOf(row.language_key),
    tags: Array.isArray(row.tags) ? (row.tags as string[]) : [],
    repoUrl: textOf(row.repo_url),
    description: textOf(row.description),
    favorite: row.favorite === true,
    created: dateOf(row.created),
    updated: dateOf(row.updated),
  };
}

const owned = ownerCells;

/** A conditional write: done, refused because another version is stored (that one), or the POC is gone. */
export type Outcome = 'done' | 'gone' | { readonly current: Poc };

/** A write racing others may have to follow them a few times; the repair catches anything beyond. */
const MAX_SETTLE_ROUNDS = 5;

/** A candidate of a name search: where the POC is, and its name. */
export interface NamedPosition extends Position {
  readonly name: string;
}

/**
 * Store access for POCs. The base tables (`pocs_by_user`, `pocs_by_id`) and the search tables
 * (`pocs_by_facet`, `pocs_by_gram`) change together in one logged batch for creates and deletes; an update
 * is a conditional write of the base row, then one batch of the search rows it changes (a crash between
 * the two leaves search rows the repair fixes; `settle` fixes what a racing write on another node left).
 * The facet counts follow each write (a hint, see schema.ts).
 */
export class PocRepo {
  readonly #store: Store;

  constructor(options: { readonly store: Store }) {
    this.#store = options.store;
  }

  /** `also`: writes that land with the POC's in its one logged batch (its events' outbox rows). */
  async insert(owner: Owner, poc: Poc, also: readonly WriteOp[] = []): Promise<void> {
    await this.#store.batch([
      ...also,
      { kind: 'insert', table: TABLES.byUser, row: pocRow(owner, poc) },
      { kind: 'insert', table: TABLES.byId, row: { ...owned(owner), id: poc.id, created: poc.created } },
      ...searchInserts(owner, poc),
      ...(await this.#counting(owner, countedKeys(poc), [])),
    ]);
  }

  async find(owner: Owner, id: string): Promise<Poc | undefined> {
    const pointer = await this.#store.get(TABLES.byId, { ...owned(owner), id });
    if (!(pointer?.created instanceof Date)) return undefined;
    return this.at(owner, pointer.created.getTime(), id);
  }

  /** Straight to the row by its full primary key. */
  async at(owner: Owner, createdMs: number, id: string): Promise<Poc | undefined> {
    const row = await this.#store.get(TABLES.byUser, { ...owned(owner), created: new Date(createdMs), id });
    return row ? pocOf(row) : undefined;
  }

  /** Many rows by full primary key in one store call, in the order asked (undefined where gone). */
  async atMany(owner: Owner, positions: readonly Position[]): Promise<(Poc | undefined)[]> {
    const rows = await this.#store.getMany(
      TABLES.byUser,
      positions.map((p) => ({ ...owned(owner), created: new Date(p.created), id: p.id })),
    );
    return rows.map((row) => (row ? pocOf(row) : undefined));
  }

  /**
   * Replaces version `before` of the POC by `after`, only if `before` is still the stored version (a
   * conditional write on `updated`, which every update moves forward), then moves its search rows and
   * settles them. Conditioning on the version puts every POC's writes in one order, whatever node makes
   * them: each write knows exactly which state it replaces, and no update can resurrect a deleted row.
   * Answers the stored version when another write came first (the caller retries on it), or undefined
   * when the POC is gone. `also` goes into the batch that moves the search rows, once the update applied.
   */
  async update(owner: Owner, before: Poc, after: Poc, also: readonly WriteOp[] = []): Promise<Outcome> {
    const result = await this.#store.update(
      TABLES.byUser,
      { ...owned(owner), created: after.created, id: after.id },
      fieldsRow(after),
      { if: { updated: before.updated } },
    );
    if (!result.applied) return result.current ? { current: pocOf(result.current) } : 'gone';
    await this.#move(owner, before, after, also);
    await this.settle(owner, after);
    return 'done';
  }

  /**
   * Deletes version `poc` of the POC (conditional, as an update), then its pointer and search rows, with
   * `also` in that batch.
   */
  async remove(owner: Owner, poc: Poc, also: readonly WriteOp[] = []): Promise<Outcome> {
    const at = { ...owned(owner), created: poc.created, id: poc.id };
    const result = await this.#store.delete(TABLES.byUser, at, { if: { updated: poc.updated } });
    if (!result.applied) return result.current ? { current: pocOf(result.current) } : 'gone';
    await this.#store.batch([
      ...also,
      { kind: 'delete', table: TABLES.byId, key: { ...owned(owner), id: poc.id } },
      ...facetDeletes(owner, poc, facetsOf(poc)),
      ...gramDeletes(owner, poc, gramsOf(poc.name)),
      ...(await this.#counting(owner, [], countedKeys(poc))),
    ]);
    return 'done';
  }

  /**
   * After writing the search rows of version `written`: the base row as it stands decides. The batch of a
   * write whose version was replaced meanwhile may land after the batch of the write that replaced it;
   * whoever wrote search rows re-reads the base row afterwards and moves the rows on to what it finds,
   * until what it wrote is what is stored (or the POC is gone), so the last batch to land is always
   * followed by a correction.
   */
  async settle(owner: Owner, written: Poc): Promise<void> {
    let known = written;
    for (let round = 0; round < MAX_SETTLE_ROUNDS; round++) {
      const current = await this.at(owner, known.created.getTime(), known.id);
      if (current && samePoc(current, known)) return;
      if (!current) {
        await this.#store.batch([
          ...facetDeletes(owner, known, facetsOf(known)),
          ...gramDeletes(owner, known, gramsOf(known.name)),
        ]);
        return;
      }
      await this.#move(owner, known, current);
      known = current;
    }
  }

  /** Search rows from `before` to `after` (the same POC): every facet row rewritten, grams only as names change. */
  async #move(owner: Owner, before: Poc, after: Poc, also: readonly WriteOp[] = []): Promise<void> {
    const [was, is] = [facetsOf(before), facetsOf(after)];
    const named = before.name !== after.name;
    const [oldGrams, newGrams] = named ? [gramsOf(before.name), gramsOf(after.name)] : [[], []];
    const [up, down] = [
      without(countedKeys(after), countedKeys(before)),
      without(countedKeys(before), countedKeys(after)),
    ];
    await this.#store.batch([
      ...also,
      ...facetDeletes(owner, after, without(was, is)),
      ...facetInserts(owner, after, is),
      ...gramDeletes(owner, after, without(oldGrams, newGrams)),
      ...gramInserts(owner, after, named ? newGrams : []),
      ...(await this.#counting(owner, up, down)),
    ]);
  }

  /**
   * The writes adding one to the counts of `up` and taking one from `down`, from the counts as read now:
   * they go into the batch of the write they count (a hint, see schema.ts).
   */
  async #counting(owner: Owner, up: readonly string[], down: readonly string[]): Promise<WriteOp[]> {
    const keys = [...up, ...down];
    if (!keys.length) return [];
    const counts = await this.counts(owner, keys);
    return keys.map((facet, i): WriteOp => {
      const pocs = (counts.get(facet) ?? 0) + (i < up.length ? 1 : -1);
      const key = { ...owned(owner), facet };
      return pocs > 0
        ? { kind: 'update', table: TABLES.facetCounts, key, set: { pocs } }
        : { kind: 'delete', table: TABLES.facetCounts, key };
    });
  }

  /** The counts of these facets (`g:<gram>` for grams); absent ones have none. */
  async counts(owner: Owner, facets: readonly string[]): Promise<Map<string, number>> {
    const rows = await this.#store.getMany(
      TABLES.facetCounts,
      facets.map((facet) => ({ ...owned(owner), facet })),
    );
    const counts = new Map<string, number>();
    rows.forEach((row, i) => {
      if (row && typeof row.pocs === 'number') counts.set(facets[i] as string, row.pocs);
    });
    return counts;
  }

  /** One page of a facet's partition (whole POCs), newest first. */
  async slice(
    owner: Owner,
    facet: string,
    options: ScanOptions,
  ): Promise<{ pocs: Poc[]; pageState?: string }> {
    const page = await this.#page(TABLES.byFacet, { ...owned(owner), facet }, options);
    const pocs = page.rows.map(pocOf);
    return page.pageState === undefined ? { pocs } : { pocs, pageState: page.pageState };
  }

  /** One page of a gram's partition: positions and names, newest first. */
  async named(
    owner: Owner,
    gram: string,
    options: ScanOptions,
  ): Promise<{ found: NamedPosition[]; pageState?: string }> {
    const page = await this.#page(TABLES.byGram, { ...owned(owner), gram }, options);
    const found = page.rows.map((r) => ({
      created: dateOf(r.created).getTime(),
      id: textOf(r.id),
      name: textOf(r.name),
    }));
    return page.pageState === undefined ? { found } : { found, pageState: page.pageState };
  }

  /** One page of the owner's partition, newest first. */
  async scan(owner: Owner, options: ScanOptions): Promise<{ pocs: Poc[]; pageState?: string }> {
    const page = await this.#page(TABLES.byUser, owned(owner), options);
    const pocs = page.rows.map(pocOf);
    return page.pageState === undefined ? { pocs } : { pocs, pageState: page.pageState };
  }

  #page(table: string, where: Row, options: ScanOptions): Promise<Page> {
    const { upTo, from } = options;
    const range = {
      ...(upTo ? (upTo.inclusive ? { lte: upTo.at } : { lt: upTo.at }) : {}),
      ...(from ? { gte: from } : {}),
    };
    return this.#store.query(table, {
      where,
      ...(Object.keys(range).length ? { range: { column: 'created', ...range } } : {}),
      limit: options.pageSize,
      ...(options.pageState === undefined ? {} : { pageState: options.pageState }),
    });
  }

  /** Every POC of the owner, newest first (partitions are per user: thousands of rows at most). */
  async *all(owner: Owner, pageSize = 1000): AsyncGenerator<Poc> {
    let pageState: string | undefined;
    do {
      const page = await this.scan(owner, { pageSize, ...(pageState === undefined ? {} : { pageState }) });
      yield* page.pocs;
      pageState = page.pageState;
    } while (pageState !== undefined);
  }
}

/** Same fields: what a copy in a search table must hold to be in step. */
export const samePoc = (a: Poc, b: Poc): boolean =>
  a.name === b.name &&
  a.language === b.language &&
  a.languageKey === b.languageKey &&
  a.tags.join('\n') === b.tags.join('\n') &&
  a.repoUrl === b.repoUrl &&
  a.description === b.description &&
  a.favorite === b.favorite &&
  a.created.getTime() === b.created.getTime() &&
  a.updated.getTime() === b.updated.getTime() &&
  a.id === b.id;
