import type { DomainEvent, NewDomainEvent } from '../../capabilities.ts';
import { uuid7 } from '../../lib/uuid7.ts';
import type { Analytics } from '../../ports/analytics.ts';
import { project } from './projector.ts';
import { PROJECTED_TABLES } from './read-model.ts';

/**
 * Rebuilds the read model from the system of record: empties it, then projects every module's history
 * (its facts as they stand, as events) through the same projector the live events go through, so the two
 * cannot disagree. Live events that arrive meanwhile are applied on top, idempotently.
 */
export async function backfill(
  db: Analytics,
  history: AsyncIterable<readonly NewDomainEvent[]>,
  now: () => Date,
): Promise<{ events: number }> {
  await db.query(`TRUNCATE ${[...PROJECTED_TABLES, 'poc_tombstones', 'processed_events'].join(', ')}`);
  let events = 0;
  for await (const page of history) {
    const recorded = page.map((e): DomainEvent => {
      const at = e.at ?? now();
      const { at: _at, ...rest } = e;
      return { ...rest, eventId: uuid7(at.getTime()), at: at.toISOString() };
    });
    events += await project(db, recorded);
  }
  return { events };
}
