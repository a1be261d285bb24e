import type { Migration } from '../../ports/store.ts';

/**
 * Query-first tables (Cassandra style). `pocs_by_user` holds the whole POC in the owner's partition,
 * newest first, so listing, the year filter (a range on `created`) and name/language filters (a scan of
 * the partition, page by page) need nothing else. `pocs_by_id` finds a POC's clustering key (`created`)
 * from its id for get, update and delete; the owner is part of its partition key, so an id of someone
 * else's POC is simply not found. Both are written together in logged batches.
 */
export const TABLES = {
  byUser: 'pocs_by_user',
  byId: 'pocs_by_id',
  byFacet: 'pocs_by_facet',
  byGram: 'pocs_by_gram',
  facetCounts: 'pocs_facet_counts',
} as const;

/** The columns of a whole POC, as `pocs_by_user` and `pocs_by_facet` keep them. */
const POC_COLUMNS = {
  tenant_id: 'uuid',
  user_id: 'uuid',
  created: 'timestamp',
  id: 'uuid',
  name: 'text',
  language: 'text',
  /** Lower-cased language, for case-insensitive matching. */
  language_key: 'text',
  tags: 'set<text>',
  repo_url: 'text',
  description: 'text',
  favorite: 'boolean',
  updated: 'timestamp',
} as const;

const NEWEST_FIRST = [
  { column: 'created', order: 'desc' },
  { column: 'id', order: 'asc' },
] as const;

export const POCS_MIGRATIONS: readonly Migration[] = [
  {
    id: '0200_pocs',
    createTables: [
      {
        name: TABLES.byUser,
        columns: POC_COLUMNS,
        partitionKey: ['tenant_id', 'user_id'],
        clusteringKey: NEWEST_FIRST,
      },
      {
        name: TABLES.byId,
        columns: { tenant_id: 'uuid', user_id: 'uuid', id: 'uuid', created: 'timestamp' },
        partitionKey: ['tenant_id', 'user_id', 'id'],
      },
    ],
  },
  {
    id: '0201_pocs_search',
    createTables: [
      {
        // One partition per user and facet (`t:<tag>`, `l:<language key>`, `f` for favorites), whole POCs
        // newest first: a tag or language search is one slice of one partition.
        name: TABLES.byFacet,
        columns: { ...POC_COLUMNS, facet: 'text' },
        partitionKey: ['tenant_id', 'user_id', 'facet'],
        clusteringKey: NEWEST_FIRST,
      },
      {
        // One partition per user and trigram of the lower-cased name: the candidates of a name search,
        // thin (the name only), so a long name costs ~100 small rows rather than ~100 copies of the POC.
        name: TABLES.byGram,
        columns: {
          tenant_id: 'uuid',
          user_id: 'uuid',
          gram: 'text',
          created: 'timestamp',
          id: 'uuid',
          name: 'text',
        },
        partitionKey: ['tenant_id', 'user_id', 'gram'],
        clusteringKey: NEWEST_FIRST,
      },
      {
        // How many POCs each facet has, per user: which slice to start a search from. A hint
        // (kept with the writes, exact after a rebuild): answers never depend on it.
        name: TABLES.facetCounts,
        columns: { tenant_id: 'uuid', user_id: 'uuid', facet: 'text', pocs: 'int' },
        partitionKey: ['tenant_id', 'user_id'],
        clusteringKey: [{ column: 'facet', order: 'asc' }],
      },
    ],
  },
];
