import type { NewDomainEvent } from '../../capabilities.ts';
import { dateOf, scanPages, textOf, type Store } from '../../ports/store.ts';
import { participationData } from './room/attendance.ts';
import { TABLES } from './schema.ts';

/** Every dojo (created, first opened, last closed) and every finished participation, as their events. */
export async function* dojosHistory(store: Store): AsyncGenerator<NewDomainEvent[]> {
  const fact = { domain: 'dojos', version: 1 } as const;
  for await (const rows of scanPages(store, TABLES.dojos)) {
    yield rows.flatMap((r) => {
      const tenantId = textOf(r.tenant_id);
      const dojoId = textOf(r.dojo_id);
      const events: NewDomainEvent[] = [
        {
          ...fact,
          type: 'dojo.created',
          tenantId,
          at: dateOf(r.created),
          data: { dojoId, hostId: textOf(r.host_id), dojoDate: dateOf(r.dojo_date).toISOString() },
        },
      ];
      if (r.opened instanceof Date)
        events.push({ ...fact, type: 'dojo.started', tenantId, at: r.opened, data: { dojoId } });
      if (r.closed instanceof Date)
        events.push({ ...fact, type: 'dojo.ended', tenantId, at: r.closed, data: { dojoId } });
      return events;
    });
  }
  for await (const rows of scanPages(store, TABLES.participations)) {
    yield rows.map((r) => ({
      ...fact,
      type: 'participant.left',
      tenantId: textOf(r.tenant_id),
      at: dateOf(r.left_at),
      data: participationData({
        participationId: textOf(r.participation_id),
        dojoId: textOf(r.dojo_id),
        tenantId: textOf(r.tenant_id),
        userId: textOf(r.user_id),
        joinedAt: dateOf(r.joined_at),
        leftAt: dateOf(r.left_at),
        minutes: Number(r.minutes),
      }),
    }));
  }
}
