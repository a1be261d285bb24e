import type { Migration } from '../../ports/store.ts';

export const TABLES = {
  /** The feed: newest first per user. */
  feed: 'notification_feed',
  /** A notification's place in the feed (its `created`), to mark it read by id. */
  keys: 'notification_keys',
  /** Unread notifications per user, newest first: the unread count and the `unread` filter. */
  unread: 'notification_unread',
  /** One row per dedupe key: a request delivered twice is stored once. */
  dedupe: 'notification_dedupe',
  /** Up to when a user has seen their feed. */
  state: 'notification_state',
  /** One row per mailed notification: at most one mail for it, whatever the redeliveries. */
  mailed: 'notification_mailed',
} as const;

/** A feed keeps a user's notifications for this long. */
export const RETENTION_SECONDS = 180 * 24 * 3600;

export const NOTIFICATIONS_MIGRATIONS: readonly Migration[] = [
  {
    id: '0400_notifications',
    createTables: [
      {
        name: TABLES.feed,
        columns: {
          user_id: 'uuid',
          created: 'timestamp',
          notification_id: 'uuid',
          tenant_id: 'uuid',
          type: 'text',
          title: 'text',
          message: 'text',
          data: 'map<text,text>',
          read: 'boolean',
        },
        partitionKey: ['user_id'],
        clusteringKey: [
          { column: 'created', order: 'desc' },
          { column: 'notification_id', order: 'asc' },
        ],
      },
      {
        name: TABLES.keys,
        columns: { user_id: 'uuid', notification_id: 'uuid', created: 'timestamp' },
        partitionKey: ['user_id'],
        clusteringKey: [{ column: 'notification_id', order: 'asc' }],
      },
      {
        name: TABLES.unread,
        columns: { user_id: 'uuid', created: 'timestamp', notification_id: 'uuid' },
        partitionKey: ['user_id'],
        clusteringKey: [
          { column: 'created', order: 'desc' },
          { column: 'notification_id', order: 'asc' },
        ],
      },
      {
        name: TABLES.dedupe,
        columns: { dedupe_key: 'text', notification_id: 'uuid', user_id: 'uuid', created: 'timestamp' },
        partitionKey: ['dedupe_key'],
      },
      {
        name: TABLES.state,
        columns: { user_id: 'uuid', seen_until: 'timestamp' },
        partitionKey: ['user_id'],
      },
      {
        name: TABLES.mailed,
        columns: { notification_id: 'uuid', mailed: 'timestamp' },
        partitionKey: ['notification_id'],
      },
    ],
  },
];
