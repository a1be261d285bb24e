import { createHash } from 'node:crypto';
import type { DomainEvent } from '../../capabilities.ts';
import type { Logger } from '../../lib/log.ts';
import { holderKey, processOf, type Leases } from '../../ports/lease.ts';
import type { Queue } from '../../ports/queue.ts';
import type { Migration, Row, Store } from '../../ports/store.ts';

export const OUTBOX_TABLE = 'event_outbox';
/** Partitions of the outbox: a tenant's events stay in one (so in order), nodes drain them in parallel. */
export const OUTBOX_SHARDS = 8;
const PAGE = 500;
const SKEW_MS = 10_000;

/** The smallest UUIDv7 text of a millisecond. */
const floorId = (ms: number) => {
  const h = Math.max(0, ms).toString(16).padStart(12, '0');
  return `${h.slice(0, 8)}-${h.slice(8)}-0000-0000-000000000000`;
};
/** The millisecond of a UUIDv7's text. */
const msOf = (id: string) => parseInt(id.slice(0, 8) + id.slice(9, 13), 16);

export const OUTBOX_MIGRATIONS: readonly Migration[] = [
  {
    id: '0050_event_outbox',
    createTables: [
      {
        name: OUTBOX_TABLE,
        columns: { shard: 'int', event_id: 'text', topic: 'text', tenant_id: 'uuid', event: 'json' },
        partitionKey: ['shard'],
        clusteringKey: [{ column: 'event_id', order: 'asc' }],
      },
    ],
  },
];

export const topicOf = (e: Pick<DomainEvent, 'domain'>) => `events.${e.domain}`;

export const shardOf = (tenantId: string): number =>
  createHash('sha1').update(tenantId).digest().readUInt32BE(0) % OUTBOX_SHARDS;

export const outboxRow = (e: DomainEvent): Row => ({
  shard: shardOf(e.tenantId),
  event_id: e.eventId,
  topic: topicOf(e),
  tenant_id: e.tenantId,
  event: e,
});

/**
 * Publishes the outbox to the queue (a periodic task of workers nodes). Each shard is drained by the node
 * holding its lease (taken over when the holder's process is gone), oldest event first; rows are deleted
 * once the queue accepted them, so a crash in between publishes them again (at least once: consumers
 * deduplicate on the event id). Each node remembers up to when it drained each shard, so a read starts past
 * most deleted rows (in Cassandra, past their tombstones) rather than at the head of the partition: it
 * starts SKEW_MS before that, since an event written late can carry an earlier time (another node's clock,
 * or the same millisecond with a smaller random part).
 */
export class OutboxDrainer {
  readonly #o: { store: Store; queue: Queue; leases: Leases; logger: Logger; processId: string };
  readonly #holder: string;
  /** Per shard: the time of the newest event drained. */
  readonly #after = new Map<number, number>();
  #announced: Promise<void> | undefined;

  constructor(options: { store: Store; queue: Queue; leases: Leases; logger: Logger; processId: string }) {
    this.#o = options;
    this.#holder = holderKey(options.processId, 'outbox');
  }

  async drain(): Promise<number> {
    this.#announced ??= this.#o.leases.announce(this.#o.processId);
    await this.#announced;
    let published = 0;
    for (let shard = 0; shard < OUTBOX_SHARDS; shard++) {
      if (await this.#own(shard)) published += await this.#drainShard(shard);
    }
    return published;
  }

  async #own(shard: number): Promise<boolean> {
    const key = `outbox:${shard}`;
    const claim = await this.#o.leases.claim(key, this.#holder);
    if (claim.acquired) return true;
    if (!claim.holder || (await this.#o.leases.processAlive(processOf(claim.holder)))) return false;
    this.#after.delete(shard);
    return (await this.#o.leases.claim(key, this.#holder, claim.holder)).acquired;
  }

  async #drainShard(shard: number): Promise<number> {
    let published = 0;
    for (;;) {
      const after = this.#after.get(shard);
      const page = await this.#o.store.query(OUTBOX_TABLE, {
        where: { shard },
        ...(after === undefined ? {} : { range: { column: 'event_id', gte: floorId(after - SKEW_MS) } }),
        limit: PAGE,
      });
      if (!page.rows.length) return published;
      const byTopic = Map.groupBy(page.rows, (r) => String(r.topic));
      for (const [topic, rows] of byTopic) {
        await this.#o.queue.publish(
          topic,
          rows.map((r) => ({ key: String(r.tenant_id), value: r.event })),
        );
      }
      await this.#o.store.batch(
        page.rows.map((r) => ({ kind: 'delete', table: OUTBOX_TABLE, key: { shard, event_id: r.event_id } })),
      );
      published += page.rows.length;
      this.#after.set(shard, Math.max(this.#after.get(shard) ?? 0, msOf(String(page.rows.at(-1)?.event_id))));
      if (page.rows.length < PAGE) return published;
    }
  }
}
