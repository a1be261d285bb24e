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
} as const;

export const POCS_MIGRATIONS: readonly Migration[] = [
  {
    id: '0200_pocs',
    createTables: [
      {
        name: TABLES.byUser,
        columns: {
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
        },
        partitionKey: ['tenant_id', 'user_id'],
        clusteringKey: [
          { column: 'created', order: 'desc' },
          { column: 'id', order: 'asc' },
        ],
      },
      {
        name: TABLES.byId,
        columns: { tenant_id: 'uuid', user_id: 'uuid', id: 'uuid', created: 'timestamp' },
        partitionKey: ['tenant_id', 'user_id', 'id'],
      },
    ],
  },
];
