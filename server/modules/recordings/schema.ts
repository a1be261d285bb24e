import type { Migration } from '../../ports/store.ts';

/**
 * A dojo's recordings newest first (UUIDv7 ids sort by time), the parts of one recording (media segments
 * and timeline chunks, each a blob), and the recordings a sweep must watch (RECORDING or PROCESSING).
 */
export const TABLES = {
  byDojo: 'recordings_by_dojo',
  parts: 'recording_parts',
  open: 'recordings_open',
} as const;

/** The one partition of `recordings_open`: few rows (only unfinished recordings), read by every sweep. */
export const OPEN_PARTITION = 'open';

export const RECORDINGS_MIGRATIONS: readonly Migration[] = [
  {
    id: '0400_recordings',
    createTables: [
      {
        name: TABLES.byDojo,
        columns: {
          dojo_id: 'uuid',
          recording_id: 'uuid',
          tenant_id: 'uuid',
          status: 'text',
          started_at: 'timestamp',
          stopped_at: 'timestamp',
          /** Last sign of life: the room's touches while RECORDING, the composer's progress while PROCESSING. */
          touched: 'timestamp',
          progress: 'int',
          attempts: 'int',
          /** Who hears `recording.ready`. */
          notify: 'set<text>',
          video_key: 'text',
          duration_ms: 'bigint',
          chapters: 'json',
          error: 'text',
        },
        partitionKey: ['dojo_id'],
        clusteringKey: [{ column: 'recording_id', order: 'desc' }],
      },
      {
        name: TABLES.parts,
        columns: {
          recording_id: 'uuid',
          /** `media/<participantId>/<startedAt ms>` or `timeline/<first at ms>-<nonce>`: sorts as replayed. */
          part: 'text',
          blob_key: 'text',
          participant_id: 'text',
          started_at: 'timestamp',
          ended_at: 'timestamp',
          kinds: 'set<text>',
        },
        partitionKey: ['recording_id'],
        clusteringKey: [{ column: 'part', order: 'asc' }],
      },
      {
        name: TABLES.open,
        columns: { shard: 'text', recording_id: 'uuid', dojo_id: 'uuid' },
        partitionKey: ['shard'],
        clusteringKey: [{ column: 'recording_id', order: 'asc' }],
      },
    ],
  },
];
