import type { DomainEvent } from '../../capabilities.ts';
import type { Analytics, SqlRunner } from '../../ports/analytics.ts';

type Apply = (tx: SqlRunner, events: readonly DomainEvent[]) => Promise<void>;

/** Rows as one JSON parameter, turned back into a relation by `jsonb_to_recordset`: one statement per kind. */
const json = (rows: readonly object[]) => JSON.stringify(rows);
const d = (e: DomainEvent) => e.data as Record<string, unknown>;

/** Of several events about one thing, the one with the highest version (ties: the later event). */
function newestBy<T>(items: readonly T[], key: (t: T) => string, version: (t: T) => number): T[] {
  const best = new Map<string, T>();
  for (const item of items) {
    const seen = best.get(key(item));
    if (!seen || version(item) >= version(seen)) best.set(key(item), item);
  }
  return [...best.values()];
}

/**
 * `INSERT INTO table SELECT … FROM jsonb_to_recordset($1)` for rows of one shape (`shape` lists the
 * columns with their types, as the recordset declares them), then `rest` (a WHERE, an ON CONFLICT).
 */
async function insertRows(
  tx: SqlRunner,
  table: string,
  shape: string,
  rows: readonly object[],
  rest: string,
): Promise<void> {
  const columns = shape
    .split(',')
    .map((c) => c.trim().split(/\s+/)[0])
    .join(', ');
  await tx.query(
    `INSERT INTO ${table} (${columns}) SELECT ${columns} FROM jsonb_to_recordset($1::jsonb) AS x(${shape}) ${rest}`,
    [json(rows)],
  );
}

const tenants: Apply = (tx, events) =>
  insertRows(
    tx,
    'tenants',
    'tenant_id uuid, name text, created_at timestamptz',
    events.map((e) => ({ tenant_id: e.tenantId, name: d(e).name, created_at: e.at })),
    'ON CONFLICT (tenant_id) DO NOTHING',
  );

const membersJoined: Apply = (tx, events) =>
  insertRows(
    tx,
    'members',
    'tenant_id uuid, user_id uuid, role text, joined_at timestamptz',
    newestBy(
      events,
      (e) => `${e.tenantId}/${String(d(e).userId)}`,
      (e) => Date.parse(e.at),
    ).map((e) => ({ tenant_id: e.tenantId, user_id: d(e).userId, role: d(e).role, joined_at: e.at })),
    `ON CONFLICT (tenant_id, user_id) DO UPDATE SET role = excluded.role, left_at = NULL
       WHERE members.joined_at <= excluded.joined_at`,
  );

const membersLeft: Apply = async (tx, events) => {
  await tx.query(
    `UPDATE members m SET left_at = x.left_at
     FROM jsonb_to_recordset($1::jsonb) AS x(tenant_id uuid, user_id uuid, left_at timestamptz)
     WHERE m.tenant_id = x.tenant_id AND m.user_id = x.user_id AND m.joined_at <= x.left_at`,
    [json(events.map((e) => ({ tenant_id: e.tenantId, user_id: d(e).userId, left_at: e.at })))],
  );
};

/** POCs: the newest state of each wins; a deletion leaves a tombstone that older states cannot pass. */
const pocs: Apply = async (tx, events) => {
  const latest = newestBy(
    events,
    (e) => String(d(e).pocId),
    (e) => Number(d(e).version),
  );
  const deleted = latest
    .filter((e) => e.type === 'poc.deleted')
    .map((e) => ({ poc_id: d(e).pocId, version: d(e).version }));
  const alive = latest.filter((e) => e.type !== 'poc.deleted');
  if (deleted.length) {
    await insertRows(
      tx,
      'poc_tombstones',
      'poc_id uuid, version bigint',
      deleted,
      'ON CONFLICT (poc_id) DO UPDATE SET version = GREATEST(poc_tombstones.version, excluded.version)',
    );
    await tx.query(
      `DELETE FROM pocs p USING jsonb_to_recordset($1::jsonb) AS x(poc_id uuid, version bigint)
       WHERE p.poc_id = x.poc_id AND p.version < x.version`,
      [json(deleted)],
    );
  }
  if (!alive.length) return;
  await insertRows(
    tx,
    'pocs',
    'poc_id uuid, tenant_id uuid, user_id uuid, name text, language text, tags text[], favorite boolean, created_at timestamptz, version bigint',
    alive.map((e) => ({
      poc_id: d(e).pocId,
      tenant_id: e.tenantId,
      user_id: d(e).userId,
      name: String(d(e).name ?? ''),
      language: String(d(e).language ?? '').toLowerCase(),
      tags: d(e).tags,
      favorite: d(e).favorite === true,
      created_at: d(e).created,
      version: d(e).version,
    })),
    `WHERE NOT EXISTS (SELECT 1 FROM poc_tombstones t WHERE t.poc_id = x.poc_id AND t.version >= x.version)
     ON CONFLICT (poc_id) DO UPDATE SET name = excluded.name, language = excluded.language, tags = excluded.tags,
       favorite = excluded.favorite, version = excluded.version
       WHERE pocs.version < excluded.version`,
  );
};

const dojosCreated: Apply = (tx, events) =>
  insertRows(
    tx,
    'dojos',
    'dojo_id uuid, tenant_id uuid, host_id uuid, dojo_date timestamptz, created_at timestamptz',
    events.map((e) => ({
      dojo_id: d(e).dojoId,
      tenant_id: e.tenantId,
      host_id: d(e).hostId,
      dojo_date: d(e).dojoDate,
      created_at: e.at,
    })),
    'ON CONFLICT (dojo_id) DO NOTHING',
  );

/** A dojo's first opening and its last closing. */
const dojoTimes =
  (column: 'started_at' | 'ended_at'): Apply =>
  async (tx, events) => {
    const [pick, agg] = column === 'started_at' ? ['LEAST', 'min'] : ['GREATEST', 'max'];
    await tx.query(
      `UPDATE dojos SET ${column} = ${pick}(COALESCE(${column}, x.at), x.at)
       FROM (SELECT dojo_id, ${agg}(at) AS at
             FROM jsonb_to_recordset($1::jsonb) AS y(dojo_id uuid, at timestamptz) GROUP BY dojo_id) AS x
       WHERE dojos.dojo_id = x.dojo_id`,
      [json(events.map((e) => ({ dojo_id: d(e).dojoId, at: e.at })))],
    );
  };

const participations: Apply = (tx, events) =>
  insertRows(
    tx,
    'participations',
    'participation_id uuid, tenant_id uuid, dojo_id uuid, user_id uuid, joined_at timestamptz, minutes double precision',
    events.map((e) => ({
      participation_id: d(e).participationId,
      tenant_id: e.tenantId,
      dojo_id: d(e).dojoId,
      user_id: d(e).userId,
      joined_at: d(e).joinedAt,
      minutes: d(e).minutes,
    })),
    'ON CONFLICT (participation_id) DO NOTHING',
  );

const recordings: Apply = (tx, events) =>
  insertRows(
    tx,
    'recordings',
    'recording_id uuid, tenant_id uuid, dojo_id uuid, created_at timestamptz',
    events.map((e) => ({
      recording_id: d(e).recordingId,
      tenant_id: e.tenantId,
      dojo_id: d(e).dojoId,
      created_at: e.at,
    })),
    'ON CONFLICT (recording_id) DO NOTHING',
  );

/** A payment's row; a success is never turned back into a failure by a late or replayed event. */
const payments: Apply = (tx, events) =>
  insertRows(
    tx,
    'payments',
    'payment_id uuid, tenant_id uuid, created_at timestamptz, kind text, plan text, total_cents bigint, currency text, status text',
    newestBy(
      events,
      (e) => String(d(e).paymentId),
      (e) => (e.type === 'payment.succeeded' ? 1 : 0),
    ).map((e) => ({
      payment_id: d(e).paymentId,
      tenant_id: e.tenantId,
      created_at: d(e).created,
      kind: d(e).kind,
      plan: d(e).plan,
      total_cents: d(e).totalCents,
      currency: d(e).currency,
      status: e.type === 'payment.succeeded' ? 'SUCCEEDED' : 'DECLINED',
    })),
    `ON CONFLICT (payment_id) DO UPDATE SET status = excluded.status WHERE payments.status <> 'SUCCEEDED'`,
  );

const subscriptions: Apply = (tx, events) =>
  insertRows(
    tx,
    'subscriptions',
    'tenant_id uuid, plan text, status text, expires_at timestamptz, auto_renew boolean, version bigint',
    newestBy(
      events,
      (e) => e.tenantId,
      (e) => Number(d(e).version),
    ).map((e) => ({
      tenant_id: e.tenantId,
      plan: d(e).plan,
      status: d(e).status,
      expires_at: d(e).expiresAt,
      auto_renew: d(e).autoRenew === true,
      version: d(e).version,
    })),
    `ON CONFLICT (tenant_id) DO UPDATE SET plan = excluded.plan, status = excluded.status,
       expires_at = excluded.expires_at, auto_renew = excluded.auto_renew, version = excluded.version
       WHERE subscriptions.version < excluded.version`,
  );

/** Each event type's applier, in the order a batch applies them (things before what happens to them). */
const APPLIERS: readonly (readonly [readonly string[], Apply])[] = [
  [['tenant.created'], tenants],
  [['member.joined'], membersJoined],
  [['member.left'], membersLeft],
  [['poc.created', 'poc.updated', 'poc.favourited', 'poc.unfavourited', 'poc.deleted'], pocs],
  [['dojo.created'], dojosCreated],
  [['dojo.started'], dojoTimes('started_at')],
  [['dojo.ended'], dojoTimes('ended_at')],
  [['participant.left'], participations],
  [['recording.stored'], recordings],
  [['payment.succeeded', 'payment.failed'], payments],
  [['subscription.changed'], subscriptions],
];

/**
 * Applies a batch of events to the read model in one transaction: the event ids not seen before are
 * claimed in `processed_events`, and only those events are applied, each kind with one set-based
 * statement. A batch that fails leaves nothing; one delivered again finds its ids claimed and does
 * nothing. Types it does not project (user.confirmed, participant.joined) are only marked processed.
 */
export async function project(analytics: Analytics, events: readonly DomainEvent[]): Promise<number> {
  if (!events.length) return 0;
  return analytics.transaction(async (tx) => {
    const fresh = await tx.query<{ event_id: string }>(
      `INSERT INTO processed_events (event_id, at)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(event_id uuid, at timestamptz)
       ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
      [
        json(
          newestBy(
            events,
            (e) => e.eventId,
            () => 0,
          ).map((e) => ({ event_id: e.eventId, at: e.at })),
        ),
      ],
    );
    const ids = new Set(fresh.map((r) => r.event_id));
    // An event delivered twice within the batch is applied once.
    const todo = events.filter((e) => ids.delete(e.eventId));
    for (const [types, apply] of APPLIERS) {
      const mine = todo.filter((e) => types.includes(e.type));
      if (mine.length) await apply(tx, mine);
    }
    return todo.length;
  });
}
