import { type Row, type Store, textOf, dateOf } from '../../ports/store.ts';
import type { Position } from './cursor.ts';
import { TABLES } from './schema.ts';

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

function pocOf(row: Row): Poc {
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

const fieldsRow = (poc: Poc): Row => ({
  name: poc.name,
  language: poc.language,
  language_key: poc.languageKey,
  tags: [...poc.tags],
  repo_url: poc.repoUrl,
  description: poc.description,
  favorite: poc.favorite,
  updated: poc.updated,
});

const owned = (owner: Owner): Row => ({ tenant_id: owner.tenantId, user_id: owner.userId });

/** Store access for POCs: the two tables are kept consistent with logged batches. */
export class PocRepo {
  readonly #store: Store;

  constructor(options: { readonly store: Store }) {
    this.#store = options.store;
  }

  async insert(owner: Owner, poc: Poc): Promise<void> {
    await this.#store.batch([
      {
        kind: 'insert',
        table: TABLES.byUser,
        row: { ...owned(owner), created: poc.created, id: poc.id, ...fieldsRow(poc) },
      },
      { kind: 'insert', table: TABLES.byId, row: { ...owned(owner), id: poc.id, created: poc.created } },
    ]);
  }

  async find(owner: Owner, id: string): Promise<Poc | undefined> {
    const pointer = await this.#store.get(TABLES.byId, { ...owned(owner), id });
    if (!(pointer?.created instanceof Date)) return undefined;
    return this.at(owner, pointer.created.getTime(), id);
  }

  /** Straight to the row by its full primary key: what a search does with the ids its sets name. */
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
   * Rewrites the POC's fields if it still exists (a conditional write, so a concurrent delete cannot be
   * undone by an update resurrecting part of the row). False when it is gone.
   */
  async update(owner: Owner, poc: Poc): Promise<boolean> {
    const result = await this.#store.update(
      TABLES.byUser,
      { ...owned(owner), created: poc.created, id: poc.id },
      fieldsRow(poc),
      { ifExists: true },
    );
    return result.applied;
  }

  async remove(owner: Owner, poc: Pick<Poc, 'id' | 'created'>): Promise<void> {
    await this.#store.batch([
      { kind: 'delete', table: TABLES.byUser, key: { ...owned(owner), created: poc.created, id: poc.id } },
      { kind: 'delete', table: TABLES.byId, key: { ...owned(owner), id: poc.id } },
    ]);
  }

  /** One page of the owner's partition, newest first. */
  async scan(owner: Owner, options: ScanOptions): Promise<{ pocs: Poc[]; pageState?: string }> {
    const { upTo, from } = options;
    const range = {
      ...(upTo ? (upTo.inclusive ? { lte: upTo.at } : { lt: upTo.at }) : {}),
      ...(from ? { gte: from } : {}),
    };
    const page = await this.#store.query(TABLES.byUser, {
      where: owned(owner),
      ...(Object.keys(range).length ? { range: { column: 'created', ...range } } : {}),
      limit: options.pageSize,
      ...(options.pageState === undefined ? {} : { pageState: options.pageState }),
    });
    const pocs = page.rows.map(pocOf);
    return page.pageState === undefined ? { pocs } : { pocs, pageState: page.pageState };
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
