import type { NewDomainEvent } from '../../capabilities.ts';
import { scanPages, textOf, type Store } from '../../ports/store.ts';
import { pocEvent } from './events.ts';
import { pocOf } from './repo.ts';
import { TABLES } from './schema.ts';

/** Every live POC as the event that creates it in its current state (deleted ones are simply absent). */
export async function* pocsHistory(store: Store): AsyncGenerator<NewDomainEvent[]> {
  for await (const rows of scanPages(store, TABLES.byUser)) {
    yield rows.map((r) => {
      const poc = pocOf(r);
      return pocEvent(
        { tenantId: textOf(r.tenant_id), userId: textOf(r.user_id) },
        'poc.created',
        poc,
        poc.created,
      );
    });
  }
}
