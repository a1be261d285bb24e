import type { Migration } from '../../ports/store.ts';

/**
 * One table per query (see README.md): a task by id (the one row every claim, move and cancel is a
 * lightweight transaction on), the due-time index the poller reads bucket by bucket, and the cursor that
 * remembers the oldest bucket not yet fully handed over.
 */
export const TABLES = {
  tasks: 'scheduled_tasks',
  byBucket: 'scheduled_tasks_by_bucket',
  cursor: 'scheduler_cursor',
} as const;

/** The one cursor row's key. */
export const CURSOR_NAME = 'due';

export const SCHEDULER_MIGRATIONS: readonly Migration[] = [
  {
    id: '0150_scheduler',
    createTables: [
      {
        name: TABLES.tasks,
        columns: {
          task_id: 'text',
          /** A fresh uuid per `schedule` call: index rows of older versions are stale. */
          version: 'text',
          topic: 'text',
          payload: 'json',
          run_at: 'timestamp',
          /** The index partition the version was written to (epoch ms of the bucket's start). */
          bucket: 'bigint',
          /** `S` waiting, `C` claimed by the node whose `claim` token it carries. */
          state: 'text',
          claim: 'text',
          claimed_at: 'timestamp',
          /** Publishes of this version that failed (each one moves it later). */
          attempts: 'int',
        },
        partitionKey: ['task_id'],
      },
      {
        name: TABLES.byBucket,
        columns: {
          bucket: 'bigint',
          run_at: 'timestamp',
          task_id: 'text',
          version: 'text',
          topic: 'text',
          payload: 'json',
          attempts: 'int',
        },
        partitionKey: ['bucket'],
        clusteringKey: [
          { column: 'run_at', order: 'asc' },
          { column: 'task_id', order: 'asc' },
          { column: 'version', order: 'asc' },
        ],
      },
      {
        name: TABLES.cursor,
        columns: { name: 'text', bucket: 'bigint' },
        partitionKey: ['name'],
      },
    ],
  },
];
