import type { NewDomainEvent } from '../../capabilities.ts';
import { dateOf, scanPages, textOf, type Store } from '../../ports/store.ts';
import { TABLES } from './schema.ts';

/**
 * The tenants and their members as the events confirmation and disabling emit: what a backfill of the
 * reporting read model replays.
 */
export async function* accountsHistory(store: Store): AsyncGenerator<NewDomainEvent[]> {
  const fact = { domain: 'accounts', version: 1 } as const;
  for await (const rows of scanPages(store, TABLES.tenants)) {
    yield rows.map((r) => ({
      ...fact,
      type: 'tenant.created',
      tenantId: textOf(r.tenant_id),
      at: dateOf(r.created),
      data: { name: textOf(r.name), ownerId: textOf(r.owner_id) },
    }));
  }
  for await (const rows of scanPages(store, TABLES.members)) {
    const users = await store.getMany(
      TABLES.users,
      rows.map((r) => ({ user_id: r.user_id })),
    );
    yield rows.flatMap((r, i) => {
      const tenantId = textOf(r.tenant_id);
      const userId = textOf(r.user_id);
      const user = users[i];
      const joined: NewDomainEvent = {
        ...fact,
        type: 'member.joined',
        tenantId,
        at: dateOf(r.joined),
        data: { userId, role: textOf(r.role) },
      };
      if (user?.account_status !== 'D') return [joined];
      return [joined, { ...fact, type: 'member.left', tenantId, at: dateOf(user.updated), data: { userId } }];
    });
  }
}
