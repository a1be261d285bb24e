/**
 * The resources of the two tenants, made through the API (and the dojos repo for chat, written as the live
 * room writes it): POCs, dojos, chat messages, pictures, invitations, unconfirmed accounts, refresh tokens,
 * notifications. Every id and text is recorded as a marker of its tenant, so that an answer to the other
 * tenant that contains one is a leak.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { tokenFromOutbox } from '../support/accounts.ts';
import type { World } from './world.ts';
import type { Account } from './world-accounts.ts';
import { pictureImages } from './world-images.ts';
import { takeSnapshot } from './world-integrity.ts';

const tenantOf = (w: World, a: Account): 'A' | 'B' => (a.tenantId === w.ownerA.tenantId ? 'A' : 'B');
const markersOf = (w: World, tenant: 'A' | 'B') => (tenant === 'A' ? w.markersA : w.markersB);

export async function createPoc(w: World, owner: Account): Promise<string> {
  const tenant = tenantOf(w, owner);
  const body = await w.must(
    'POST',
    '/v1/pocs',
    owner.token,
    {
      name: w.marker(tenant, 'fzpoc'),
      language: 'TypeScript',
      tags: ['fuzz'],
      repoUrl: `https://example.com/${w.marker(tenant, 'fzrepo')}`,
      description: w.marker(tenant, 'fzdesc'),
    },
    201,
  );
  const id = String(body.id ?? body.pocId);
  markersOf(w, tenant).add(id);
  return id;
}

export async function createDojo(w: World, host: Account, members: Account[]): Promise<string> {
  const tenant = tenantOf(w, host);
  const body = await w.must(
    'POST',
    '/v1/dojo/create',
    host.token,
    {
      dojoDate: '2031-05-01T10:00:00Z',
      members: members.map((m) => m.userId),
      subject: w.marker(tenant, 'fzdojo'),
    },
    201,
  );
  const id = String(body.dojoId);
  markersOf(w, tenant).add(id);
  return id;
}

/** A chat message, written through the dojos repo: the API reads and removes messages but never writes one. */
export async function writeMessage(w: World, dojoId: string, author: Account): Promise<string> {
  const tenant = tenantOf(w, author);
  const messageId = randomUUID();
  markersOf(w, tenant).add(messageId);
  await w.repo.addMessages([
    {
      messageId,
      dojoId,
      userId: author.userId,
      tenantId: author.tenantId,
      text: w.marker(tenant, 'fzmsg'),
      created: new Date(),
    },
  ]);
  return messageId;
}

/**
 * Fills both tenants (see the README's world), then snapshots tenant A's watched resources for the integrity
 * check. The order matters: dojos invite their members (whose notifications are collected last), and each
 * account's cursor is read once its POCs exist.
 */
export async function fillTenants(w: World): Promise<void> {
  const { ownerA, memberA, ownerB } = w;
  for (const a of [...w.accountsA, ownerB, w.pwB]) {
    const tenant = a.tenantId === ownerA.tenantId ? w.markersA : w.markersB;
    for (const m of [a.userId, a.tenantId, a.username, a.email]) tenant.add(m);
    w.tenantAndUserIds.add(a.userId);
    w.tenantAndUserIds.add(a.tenantId);
  }
  w.dojoB = await createDojo(w, ownerB, [w.pwB]);
  for (const a of [ownerA, memberA, ownerB]) {
    const watched = [await createPoc(w, a), await createPoc(w, a)];
    const fodder = [await createPoc(w, a), await createPoc(w, a), await createPoc(w, a)];
    w.pocs.set(a.label, { watched, fodder });
    const page = await w.must('GET', '/v1/pocs?limit=1', a.token, undefined, 200);
    if (typeof page.nextCursor === 'string') w.cursors.set(a.label, page.nextCursor);
  }
  w.dojosA.push(await createDojo(w, ownerA, [memberA, w.refreshA]), await createDojo(w, memberA, [ownerA]));
  const [d0] = w.dojosA as [string];
  w.messagesA.push(await writeMessage(w, d0, ownerA), await writeMessage(w, d0, memberA));
  for (const author of [ownerA, ownerA, memberA, memberA]) {
    w.fodderMessages.push({ id: await writeMessage(w, d0, author), author });
  }
  await writeMessage(w, w.dojoB, ownerB);

  w.images.push(...pictureImages());
  for (const a of [ownerA, memberA]) {
    const body = await w.must('POST', '/v1/user/picture', a.token, { image: w.images[0] }, 200);
    const id = /picture\/([A-Za-z0-9_-]{22})/.exec(String(body.picture))?.[1];
    if (id) w.pictureIds.set(a.userId, id);
  }

  const invitedB = `fzinvb${randomBytes(4).toString('hex')}@example.com`;
  await w.must('POST', '/v1/tenant/invitations', ownerB.token, { email: invitedB }, 201);
  const invited = `fzinv${randomBytes(4).toString('hex')}@example.com`;
  await w.must('POST', '/v1/tenant/invitations', ownerA.token, { email: invited }, 201);
  w.invitationToken = await tokenFromOutbox(w.system, invited, 'invitation');
  for (let i = 0; i < 2; i++) {
    const username = `fzunc${randomBytes(4).toString('hex')}`;
    const email = `${username}@example.com`;
    await w.must(
      'POST',
      '/v1/account',
      undefined,
      {
        firstName: 'Un',
        lastName: 'Confirmed',
        email,
        username,
        password: `Fz-${randomBytes(12).toString('base64url')}`,
      },
      201,
    );
    w.confirmTokens.push(await tokenFromOutbox(w.system, email, 'token'));
  }
  for (let i = 0; i < 4; i++) w.refreshTokens.push((await w.login(w.refreshA)).refreshToken);
  await collectNotifications(w);
  await takeSnapshot(w);
}

/** The dojo invitations' notifications (made by workers, so waited for a little), if the system has them. */
async function collectNotifications(w: World): Promise<void> {
  const accounts = [w.ownerA, w.memberA, w.refreshA];
  const deadline = Date.now() + 5000;
  for (;;) {
    for (const a of accounts) {
      const r = await w.api('GET', '/v1/user/notification', a.token);
      const ids = ((r.body.notifications ?? []) as { notificationId?: string }[])
        .map((n) => String(n.notificationId))
        .filter((id) => id !== 'undefined');
      w.notifications.set(a.label, ids);
      for (const id of ids) w.markersA.add(id);
    }
    if (accounts.every((a) => w.notifications.get(a.label)?.length) || Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
