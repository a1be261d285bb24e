import type { Row, WriteOp } from '../../ports/store.ts';
import { facetsOf, gramsOf } from './facets.ts';
import type { Owner, Poc } from './repo.ts';
import { TABLES } from './schema.ts';

/**
 * The rows of the search tables as writes: what a POC puts in `pocs_by_facet` (a whole copy per facet)
 * and `pocs_by_gram` (its name per trigram), and what removing it takes away. Built from the POC alone,
 * so the write paths, the repair and the checks all agree on what "in step" means.
 */
export const ownerCells = (owner: Owner): Row => ({ tenant_id: owner.tenantId, user_id: owner.userId });

/** The cells an edit rewrites: everything but the owner and the clustering key (created, id). */
export const fieldsRow = (poc: Poc): Row => ({
  name: poc.name,
  language: poc.language,
  language_key: poc.languageKey,
  tags: [...poc.tags],
  repo_url: poc.repoUrl,
  description: poc.description,
  favorite: poc.favorite,
  updated: poc.updated,
});

export function pocRow(owner: Owner, poc: Poc): Row {
  return { ...ownerCells(owner), created: poc.created, id: poc.id, ...fieldsRow(poc) };
}

type Placed = Pick<Poc, 'id' | 'created'>;

const at = (owner: Owner, poc: Placed): Row => ({ ...ownerCells(owner), created: poc.created, id: poc.id });

export const facetInserts = (owner: Owner, poc: Poc, facets: readonly string[]): WriteOp[] =>
  facets.map((facet) => ({ kind: 'insert', table: TABLES.byFacet, row: { ...pocRow(owner, poc), facet } }));

export const facetDeletes = (owner: Owner, poc: Placed, facets: readonly string[]): WriteOp[] =>
  facets.map((facet) => ({ kind: 'delete', table: TABLES.byFacet, key: { ...at(owner, poc), facet } }));

export const gramInserts = (
  owner: Owner,
  poc: Placed & Pick<Poc, 'name'>,
  grams: readonly string[],
): WriteOp[] =>
  grams.map((gram) => ({
    kind: 'insert',
    table: TABLES.byGram,
    row: { ...at(owner, poc), gram, name: poc.name },
  }));

export const gramDeletes = (owner: Owner, poc: Placed, grams: readonly string[]): WriteOp[] =>
  grams.map((gram) => ({ kind: 'delete', table: TABLES.byGram, key: { ...at(owner, poc), gram } }));

/** Every search row of a POC, written (idempotent upserts). */
export const searchInserts = (owner: Owner, poc: Poc): WriteOp[] => [
  ...facetInserts(owner, poc, facetsOf(poc)),
  ...gramInserts(owner, poc, gramsOf(poc.name)),
];

/** The keys of `pocs_facet_counts` a POC counts in. */
export const countedKeys = (poc: Pick<Poc, 'tags' | 'languageKey' | 'favorite'>): string[] => facetsOf(poc);
