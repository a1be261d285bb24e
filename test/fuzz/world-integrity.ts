/**
 * The integrity check's reads: tenant A's watched resources (POCs, dojos, chat messages, refreshA's
 * notifications), its members and the tenant itself. Read once when the world is filled and again at the end
 * of the run; any difference means a request that should not act on them did (another tenant's, or one
 * without a valid token), which a 2xx or 4xx status alone would not show.
 */
import type { World } from './world.ts';

/** Reads tenant A's watched resources and membership; the same reads after the run must give the same. */
export async function integrityReads(w: World): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const a of [w.ownerA, w.memberA]) {
    for (const id of w.pocs.get(a.label)?.watched ?? []) {
      const r = await w.api('GET', `/v1/pocs/${id}`, a.token);
      out.set(`POC ${id} of ${a.label}`, `${r.status} ${JSON.stringify(r.body)}`);
    }
  }
  for (const id of w.dojosA) {
    const r = await w.api('GET', `/v1/dojos/${id}`, w.ownerA.token);
    // Left out: the room's status (SCHEDULED, LIVE, ENDED) follows the live room, not the dojo's data.
    const { status: _live, ...rest } = r.body;
    out.set(`dojo ${id}`, `${r.status} ${JSON.stringify(rest)}`);
  }
  const chat = await w.api('GET', `/v1/user/messages?roomId=${w.dojosA[0]}`, w.ownerA.token);
  const watched = ((chat.body.messages ?? []) as { messageId: string }[]).filter((m) =>
    w.messagesA.includes(m.messageId),
  );
  out.set('watched chat messages', `${chat.status} ${JSON.stringify(watched)}`);
  if ((await w.api('GET', '/v1/account/profile', w.refreshA.token)).status === 401) {
    await w.relogin(w.refreshA);
    w.notes.push('refreshA had to log in again before the integrity reads (its token was refused)');
  }
  const feed = await w.api('GET', '/v1/user/notification', w.refreshA.token);
  out.set('refreshA notifications', `${feed.status} ${JSON.stringify(feed.body)}`);
  const members = await w.api('GET', '/v1/tenant/members', w.ownerA.token);
  const ids = ((members.body.members ?? []) as { userId: string; role: string }[])
    .map((m) => `${m.userId}:${m.role}`)
    .sort();
  out.set('tenant A members', `${members.status} ${JSON.stringify(ids)}`);
  const tenant = await w.api('GET', '/v1/tenant', w.ownerA.token);
  out.set('tenant A', `${tenant.status} ${JSON.stringify(tenant.body)}`);
  return out;
}

/** The reads before the run, kept in the world for the comparison at the end. */
export async function takeSnapshot(w: World): Promise<void> {
  for (const [k, v] of await integrityReads(w)) w.snapshots.set(k, v);
}
