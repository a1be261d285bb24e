/**
 * Names for user ids: the tenant's member list when the caller may read it (owner/admin), else one
 * GET /v1/user per id, cached for the page.
 */
import type { AppContext } from '../app.ts';
import type { Paths } from '../api/schema.gen.ts';

export type Member = Paths['/v1/tenant/members']['get']['responses'][200]['members'][number];
export interface Person {
  userId: string;
  firstName: string;
  lastName: string;
  username: string;
  picture?: string | null;
  status?: 'ONLINE' | 'OFFLINE';
}

export async function tenantMembers(ctx: AppContext): Promise<Member[] | undefined> {
  const me = await ctx.profile();
  if (me.role === 'member') return undefined;
  return (await ctx.api.get('/v1/tenant/members')).members;
}

export async function peopleByIds(ctx: AppContext, ids: readonly string[]): Promise<Map<string, Person>> {
  const found = new Map<string, Person>();
  const members = await tenantMembers(ctx).catch(() => undefined);
  for (const m of members ?? []) found.set(m.userId, m);
  await Promise.all(
    ids
      .filter((id) => !found.has(id))
      .map(async (userId) => {
        const u = await ctx.api.get('/v1/user', { query: { userId } }).catch(() => undefined);
        if (u) found.set(userId, u);
      }),
  );
  return found;
}

export const fullName = (p: Person | undefined, fallback = 'Someone') =>
  p ? `${p.firstName} ${p.lastName}`.trim() || p.username : fallback;
