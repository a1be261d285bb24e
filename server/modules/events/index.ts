import { randomUUID } from 'node:crypto';
import { EVENT_DOMAINS, type DomainEvent, type Events, type NewDomainEvent } from '../../capabilities.ts';
import { uuid7 } from '../../lib/uuid7.ts';
import type { DojoModule } from '../../modules.ts';
import type { Store, WriteOp } from '../../ports/store.ts';
import { OUTBOX_MIGRATIONS, OUTBOX_TABLE, OutboxDrainer, outboxRow } from './outbox.ts';

export const EVENT_TOPICS = EVENT_DOMAINS.map((d) => `events.${d}`);

function eventsThrough(store: Store, now: () => Date): Events {
  const writes = (events: readonly NewDomainEvent[]): WriteOp[] =>
    events.map((e): WriteOp => {
      const at = e.at ?? now();
      const { at: _at, ...rest } = e;
      const recorded: DomainEvent = { ...rest, eventId: uuid7(at.getTime()), at: at.toISOString() };
      return { kind: 'insert', table: OUTBOX_TABLE, row: outboxRow(recorded) };
    });
  return {
    emit: async (events) => {
      if (events.length) await store.batch(writes(events));
    },
    writes,
  };
}

/**
 * Domain events (issue #12): modules record facts through `ctx.events` into an outbox in the store, and
 * workers nodes publish the outbox to one topic per domain (`events.accounts`, `events.pocs`,
 * `events.dojos`, `events.billing`), keyed by tenant. Boots right after accounts, so every later module
 * can emit.
 */
export function createEventsModule(options: { now?: () => Date; drainEveryMs?: number } = {}): DojoModule {
  const now = options.now ?? (() => new Date());
  return {
    name: 'events',
    migrations: OUTBOX_MIGRATIONS,
    topics: EVENT_TOPICS,
    init: (ctx) => {
      const logger = ctx.logger.child({ module: 'events' });
      const drainer = ctx.config.roles.includes('workers')
        ? new OutboxDrainer({
            store: ctx.adapters.store,
            queue: ctx.adapters.queue,
            leases: ctx.adapters.leases,
            logger,
            processId: randomUUID(),
          })
        : undefined;
      return {
        tasks: drainer
          ? [
              {
                name: 'outbox-drain',
                everyMs: options.drainEveryMs ?? 200,
                atStart: true,
                run: async () => void (await drainer.drain()),
              },
            ]
          : [],
        provides: { events: eventsThrough(ctx.adapters.store, now) },
      };
    },
  };
}
