import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { NotificationRequest } from '../../server/capabilities.ts';
import { createAccountsModule } from '../../server/modules/accounts/index.ts';
import { MODULES } from '../../server/modules-list.ts';
import { CHEAP_HASHING } from '../accounts/harness.ts';
import { signUpAndLogin, type LoggedIn } from '../support/accounts.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';
import type { Backend } from '../support/backends.ts';

interface Feed {
  notifications: {
    notificationId: string;
    type: string;
    data: Record<string, string>;
    read: boolean;
    seen: boolean;
  }[];
  unreadCount: number;
}

export function notificationsSuite(backend: Backend): void {
  const s = suite(`notifications (${backend.label})`);
  let system: TestSystem;
  let owner: LoggedIn;
  let member: LoggedIn;
  let other: LoggedIn;

  const call = async (method: string, route: string, who: LoggedIn, body?: unknown) => {
    const res = await fetch(system.url + route, {
      method,
      headers: {
        authorization: `Bearer ${who.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const feed = async (who: LoggedIn, query = '') =>
    (await call('GET', `/v1/user/notification${query}`, who)).body as unknown as Feed;
  /** The feed once `check` holds: the worker stores notifications shortly after they were asked for. */
  const feedWhen = async (who: LoggedIn, check: (f: Feed) => boolean, label: string, query = '') => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const f = await feed(who, query);
      if (check(f)) return f;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}: ${JSON.stringify(f)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const mails = () => {
    const outbox = path.join(system.dataDir, 'outbox');
    return readdirSync(outbox).map((f) => readFileSync(path.join(outbox, f), 'utf8'));
  };
  const mailWhen = async (check: (mail: string) => boolean) => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const found = mails().find(check);
      if (found || Date.now() > deadline) return found;
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const notify = (requests: NotificationRequest[]) => {
    const n = system.capabilities.notify;
    if (!n) throw new Error('no notify capability');
    return n.send(requests);
  };

  s.before(async () => {
    const modules = MODULES.map((m) =>
      m.name === 'accounts' ? createAccountsModule({ hashing: CHEAP_HASHING }) : m,
    );
    system = await startTestSystem({ env: backend.env, modules });
    owner = await signUpAndLogin(system, { firstName: 'Olga' });
    member = await signUpAndLogin(system, { invitedBy: owner.token, firstName: 'Mia' });
    other = await signUpAndLogin(system, { firstName: 'Otto' });
  });
  s.after(async () => {
    await system?.cleanup();
    await backend.cleanup();
  });

  s('an accepted invitation tells the inviter', async () => {
    const f = await feedWhen(
      owner,
      (x) => x.notifications.some((n) => n.type === 'invitation.accepted'),
      'invitation.accepted',
    );
    const n = f.notifications.find((x) => x.type === 'invitation.accepted');
    assert.is(n?.data.userId, member.userId);
  });

  s('a new dojo invites every member but the host, in the feed and by mail', async () => {
    const created = await call('POST', '/v1/dojo/create', owner, {
      dojoDate: new Date(Date.now() + 3600_000).toISOString(),
      members: [member.userId],
      subject: 'Mob kata',
    });
    assert.is(created.status, 201);
    const dojoId = String(created.body.dojoId);
    const f = await feedWhen(
      member,
      (x) => x.notifications.some((n) => n.type === 'dojo.invited'),
      'dojo.invited',
    );
    assert.is(f.notifications.find((n) => n.type === 'dojo.invited')?.data.dojoId, dojoId);
    assert.not.ok(
      (await feed(owner)).notifications.some((n) => n.type === 'dojo.invited'),
      'the host is not invited',
    );
    const invite = await mailWhen((m) => m.includes('Dojo invitation: Mob kata'));
    assert.ok(invite, 'the invitation is mailed');
    assert.match(invite ?? '', /settings\/notifications/);
  });

  s('a user who turned the mails of a type off gets the notification, not the mail', async () => {
    const off = await call('POST', '/v1/account/profile', member, {
      settings: { 'notifications.email.dojo.invited': false },
    });
    assert.is(off.status, 200);
    await call('POST', '/v1/dojo/create', owner, {
      dojoDate: new Date(Date.now() + 7200_000).toISOString(),
      members: [member.userId],
      subject: 'Quiet kata',
    });
    await feedWhen(
      member,
      (x) =>
        x.notifications.some(
          (n) =>
            n.type === 'dojo.invited' &&
            n.data.dojoId !== undefined &&
            x.notifications.filter((m) => m.type === 'dojo.invited').length === 2,
        ),
      'a second invitation',
    );
    // The first dojo's mail is there by now; give this one's worker a moment to (not) mail it.
    await new Promise((r) => setTimeout(r, 500));
    assert.not.ok(mails().some((m) => m.includes('Quiet kata')));
  });

  s('the scheduler reminds every member, the host included, 10 minutes before the dojo', async () => {
    const created = await call('POST', '/v1/dojo/create', owner, {
      dojoDate: new Date(Date.now() + 10 * 60_000 + 2_000).toISOString(),
      members: [member.userId],
      subject: 'Soon kata',
    });
    const dojoId = String(created.body.dojoId);
    const reminded = (f: Feed) =>
      f.notifications.some((n) => n.type === 'dojo.reminder' && n.data.dojoId === dojoId);
    await feedWhen(owner, reminded, 'the host reminded');
    await feedWhen(member, reminded, 'the member reminded');
  });

  s('a request delivered twice (same dedupe key) shows once', async () => {
    const request: NotificationRequest = {
      tenantId: other.tenantId,
      userId: other.userId,
      type: 'report.ready',
      title: 'Your report is ready',
      message: 'Open it.',
      data: { reportId: 'r-1' },
      dedupeKey: `report.ready:r-1:${other.userId}`,
    };
    await notify([request]);
    await notify([request]);
    await notify([{ ...request, dedupeKey: `report.ready:r-2:${other.userId}`, data: { reportId: 'r-2' } }]);
    const f = await feedWhen(
      other,
      (x) => x.notifications.some((n) => n.data.reportId === 'r-2'),
      'the second report',
    );
    assert.is(f.notifications.filter((n) => n.data.reportId === 'r-1').length, 1);
  });

  s('the list and the unread count agree after read (some, all) and seen; the unread filter', async () => {
    const before = await feed(other);
    assert.is(before.unreadCount, before.notifications.filter((n) => !n.read).length);
    assert.ok(before.unreadCount >= 2);
    const first = before.notifications[0]?.notificationId ?? '';
    const read = await call('POST', '/v1/user/notification/read', other, { notificationIds: [first] });
    assert.equal(read.body, { success: true, unreadCount: before.unreadCount - 1 });
    const after = await feed(other);
    assert.is(after.notifications.find((n) => n.notificationId === first)?.read, true);
    const unread = await feed(other, '?unread=true');
    assert.is(unread.notifications.length, after.unreadCount);
    assert.ok(unread.notifications.every((n) => !n.read && n.notificationId !== first));
    const all = await call('POST', '/v1/user/notification/read', other, { all: true });
    assert.equal(all.body, { success: true, unreadCount: 0 });
    assert.ok((await feed(other)).notifications.every((n) => n.read));
    assert.ok((await feed(other)).notifications.every((n) => !n.seen));
    assert.equal((await call('POST', '/v1/user/notification/seen', other, {})).body, { success: true });
    assert.ok((await feed(other)).notifications.every((n) => n.seen));
    const paged = await feed(other, '?limit=1&offset=1');
    assert.is(paged.notifications.length, 1);
    assert.is(paged.notifications[0]?.notificationId, (await feed(other)).notifications[1]?.notificationId);
  });

  s("another user's notifications can never be read or marked", async () => {
    const mine = await feed(member);
    const id = mine.notifications[0]?.notificationId ?? '';
    const theirs = await call('POST', '/v1/user/notification/read', other, { notificationIds: [id] });
    assert.is(theirs.status, 200);
    assert.is(
      (await feed(member)).notifications.find((n) => n.notificationId === id)?.read,
      false,
      'still unread',
    );
    assert.is((await call('GET', `/v1/user/notification?userId=${member.userId}`, other)).status, 403);
    assert.not.ok((await feed(other)).notifications.some((n) => n.notificationId === id));
  });

  s('bad input is a 400 naming the field', async () => {
    for (const [query, field] of [
      ['?limit=51', 'query.limit'],
      ['?limit=0', 'query.limit'],
      ['?offset=-1', 'query.offset'],
      ['?limit=ten', 'query.limit'],
      ['?unread=maybe', 'query.unread'],
      ['?userId=nope', 'query.userId'],
    ] as const) {
      const res = await call('GET', `/v1/user/notification${query}`, other);
      assert.is(res.status, 400, query);
      assert.ok(JSON.stringify(res.body.errors).includes(field), `${query}: ${JSON.stringify(res.body)}`);
    }
    const bad = await call('POST', '/v1/user/notification/read', other, { notificationIds: ['x'] });
    assert.is(bad.status, 400);
    assert.is((await call('POST', '/v1/user/notification/read', other, {})).status, 400);
  });

  s.run();
}
