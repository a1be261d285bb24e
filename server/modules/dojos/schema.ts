import type { Migration } from '../../ports/store.ts';

/**
 * One table per query, Cassandra style: a dojo by id, a member's dojos by date, a dojo's members, a room's
 * chat in time order, a message by id (for removal), and the live room's last snapshot.
 */
export const TABLES = {
  dojos: 'dojos_by_id',
  byMember: 'dojos_by_member',
  members: 'dojo_members',
  messages: 'messages_by_room',
  messageById: 'messages_by_id',
  snapshots: 'dojo_snapshots',
  /** Who took part in a dojo's live room and for how long: one row per participation, for reports. */
  participations: 'dojo_participations',
} as const;

export const DOJOS_MIGRATIONS: readonly Migration[] = [
  {
    id: '0300_dojos',
    createTables: [
      {
        name: TABLES.dojos,
        columns: {
          dojo_id: 'uuid',
          tenant_id: 'uuid',
          host_id: 'uuid',
          subject: 'text',
          dojo_date: 'timestamp',
          created: 'timestamp',
          /** When a live room first opened (the dojo is no longer SCHEDULED). */
          opened: 'timestamp',
        },
        partitionKey: ['dojo_id'],
      },
      {
        name: TABLES.byMember,
        columns: {
          user_id: 'uuid',
          dojo_date: 'timestamp',
          dojo_id: 'uuid',
          tenant_id: 'uuid',
          host_id: 'uuid',
          subject: 'text',
        },
        partitionKey: ['user_id'],
        clusteringKey: [
          { column: 'dojo_date', order: 'asc' },
          { column: 'dojo_id', order: 'asc' },
        ],
      },
      {
        name: TABLES.members,
        columns: { dojo_id: 'uuid', user_id: 'uuid', role: 'text', added: 'timestamp' },
        partitionKey: ['dojo_id'],
        clusteringKey: [{ column: 'user_id', order: 'asc' }],
      },
      {
        name: TABLES.messages,
        columns: {
          dojo_id: 'uuid',
          created: 'timestamp',
          message_id: 'uuid',
          user_id: 'uuid',
          text: 'text',
          /** `A` active, `R` removed (soft delete). */
          status: 'text',
        },
        partitionKey: ['dojo_id'],
        clusteringKey: [
          { column: 'created', order: 'asc' },
          { column: 'message_id', order: 'asc' },
        ],
      },
      {
        name: TABLES.messageById,
        columns: {
          message_id: 'uuid',
          dojo_id: 'uuid',
          tenant_id: 'uuid',
          user_id: 'uuid',
          created: 'timestamp',
          status: 'text',
        },
        partitionKey: ['message_id'],
      },
      {
        name: TABLES.snapshots,
        columns: {
          dojo_id: 'uuid',
          /** The room state as JSON (see room/snapshot.ts). */
          state: 'json',
          saved: 'timestamp',
          /** The Colyseus process that wrote it. */
          process_id: 'text',
        },
        partitionKey: ['dojo_id'],
      },
    ],
  },
  {
    id: '0310_dojo_participations',
    /** When a live room last closed: with `opened`, a dojo's span for reports. */
    addColumns: [{ table: TABLES.dojos, columns: { closed: 'timestamp' } }],
    createTables: [
      {
        name: TABLES.participations,
        columns: {
          dojo_id: 'uuid',
          participation_id: 'uuid',
          tenant_id: 'uuid',
          user_id: 'uuid',
          joined_at: 'timestamp',
          left_at: 'timestamp',
          minutes: 'double',
        },
        partitionKey: ['dojo_id'],
        clusteringKey: [{ column: 'participation_id', order: 'asc' }],
      },
    ],
  },
];
