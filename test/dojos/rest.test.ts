import { randomUUID } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MODULES } from '../../server/modules-list.ts';
import { createAccountsModule } from '../../server/modules/accounts/index.ts';
import { signUpAndLogin, type LoggedIn } from '../support/accounts.ts';
import { buyMonthlyPlan } from '../support/billing.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';
import { api } from './helpers.ts';

/** The REST side on the embedded adapters, in process (no rooms role: no dojo is ever live here). */
const test = suite('dojos REST (embedded, api role)');
let sys: TestSystem;
let owner: LoggedIn, member: LoggedIn, other: LoggedIn, stranger: LoggedIn;

test.before(async () => {
  const cheap = createAccountsModule({ hashing: { N: 2 ** 10, r: 8, p: 1, keyLength: 32 } });
  sys = await startTestSystem({ modules: MODULES.map((m) => (m.name === 'accounts' ? cheap : m)) });
  owner = await signUpAndLogin(sys);
  member = await signUpAndLogin(sys, { invitedBy: owner.token });
  other = await signUpAndLogin(sys, { invitedBy: owner.token });
  stranger = await signUpAndLogin(sys);
});
test.after(() => sys?.cleanup());

const create = (who: LoggedIn, body: unknown) => api(sys.url, 'POST', '/v1/dojo/create', who.token, body);
const errorsOf = (body: Record<string, unknown>) =>
  (body.errors as { path: string }[] | undefined)?.map((e) => e.path);

test("POST /v1/dojo/create: 201 with the creator as host and member; members must be in the caller's tenant", async () => {
  const made = await create(owner, {
    dojoDate: '2025-03-01',
    members: [member.userId, member.userId],
    subject: 'Bowling',
  });
  assert.is(made.status, 201, JSON.stringify(made.body));
  const dojo = await api(sys.url, 'GET', `/v1/dojos/${made.body.dojoId}`, member.token);
  assert.is(dojo.status, 200);
  assert.equal(dojo.body.members, [owner.userId, member.userId].sort());
  assert.equal(
    [dojo.body.hostId, dojo.body.subject, dojo.body.dojoDate],
    [owner.userId, 'Bowling', '2025-03-01T00:00:00.000Z'],
  );
  assert.equal([dojo.body.status, dojo.body.recordings], ['SCHEDULED', []]);

  const foreign = await create(owner, {
    dojoDate: '2025-03-01',
    members: [member.userId, stranger.userId, randomUUID()],
    subject: 'x',
  });
  assert.is(foreign.status, 400);
  assert.is(foreign.body.code, 'DOJO.UNKNOWN_MEMBER');
  assert.equal(errorsOf(foreign.body), ['members.1', 'members.2']);
  for (const body of [
    { dojoDate: 'tomorrow', members: [], subject: 'x' },
    { dojoDate: '2025-03-01', members: ['nope'], subject: 'x' },
    { dojoDate: '2025-03-01', members: [], subject: 'x'.repeat(51) },
    { dojoDate: '2025-03-01', members: [], subject: '' },
    { dojoDate: '2025-03-01', members: [], subject: 'x', extra: true },
  ]) {
    assert.is((await create(owner, body)).status, 400, JSON.stringify(body).slice(0, 80));
  }
  assert.is(
    (
      await api(sys.url, 'POST', '/v1/dojo/create', undefined, {
        dojoDate: '2025-03-01',
        members: [],
        subject: 'x',
      })
    ).status,
    401,
  );
});

test("GET /v1/dojos: the caller's dojos by date, within from/to (a date-only `to` covers its day)", async () => {
  const ids: string[] = [];
  for (const date of ['2030-01-10T09:00:00Z', '2030-01-20T23:30:00Z', '2030-02-01T10:00:00Z']) {
    const res = await create(member, {
      dojoDate: date,
      members: [other.userId],
      subject: `on ${date.slice(0, 10)}`,
    });
    ids.push(String(res.body.dojoId));
  }
  const jan = await api(sys.url, 'GET', '/v1/dojos?from=2030-01-01&to=2030-01-20', other.token);
  assert.is(jan.status, 200);
  assert.equal(
    (jan.body.dojos as { dojoId: string }[]).map((d) => d.dojoId),
    ids.slice(0, 2),
  );
  const all = await api(sys.url, 'GET', '/v1/dojos?from=2030-01-01', member.token);
  assert.equal(
    (all.body.dojos as { dojoId: string }[]).map((d) => d.dojoId),
    ids,
  );
  const first = (all.body.dojos as Record<string, unknown>[])[0];
  assert.equal(first, {
    dojoId: ids[0],
    subject: 'on 2030-01-10',
    dojoDate: '2030-01-10T09:00:00.000Z',
    hostId: member.userId,
  });
  const none = await api(sys.url, 'GET', '/v1/dojos?from=2030-01-01', owner.token);
  assert.equal(none.body.dojos, [], 'not a member of those');
  assert.is((await api(sys.url, 'GET', '/v1/dojos?from=2030-02-01&to=2030-01-01', owner.token)).status, 400);
  assert.is((await api(sys.url, 'GET', '/v1/dojos?from=yesterday', owner.token)).status, 400);
});

test('GET /v1/dojos/{id}: members only; 404 for everyone else, another tenant included', async () => {
  const made = await create(owner, { dojoDate: '2025-05-05', members: [member.userId], subject: 'Private' });
  const route = `/v1/dojos/${made.body.dojoId}`;
  assert.is((await api(sys.url, 'GET', route, owner.token)).status, 200);
  assert.is((await api(sys.url, 'GET', route, other.token)).status, 404);
  assert.is((await api(sys.url, 'GET', route, stranger.token)).status, 404);
  assert.is((await api(sys.url, 'GET', `/v1/dojos/${randomUUID()}`, owner.token)).status, 404);
  assert.is((await api(sys.url, 'GET', '/v1/dojos/not-a-uuid', owner.token)).status, 400);
});

test('start/stop without a live room: 409 DOJO.NOT_LIVE for the host, 403 for other members, 404 outside', async () => {
  const made = await create(owner, { dojoDate: '2025-05-05', members: [member.userId], subject: 'Rec' });
  const body = { dojoId: made.body.dojoId };
  const free = await api(sys.url, 'POST', '/v1/dojo/start', owner.token, body);
  assert.equal([free.status, free.body.code], [402, 'DOJO.RECORDING_NOT_IN_PLAN'], 'FREE does not record');
  await buyMonthlyPlan(sys.url, owner.token);
  for (const path of ['/v1/dojo/start', '/v1/dojo/stop']) {
    const host = await api(sys.url, 'POST', path, owner.token, body);
    assert.equal([host.status, host.body.code], [409, 'DOJO.NOT_LIVE']);
    assert.equal([(await api(sys.url, 'POST', path, member.token, body)).body.code], ['DOJO.NOT_HOST']);
    assert.is((await api(sys.url, 'POST', path, other.token, body)).status, 404);
    assert.is((await api(sys.url, 'POST', path, owner.token, { dojoId: 'x' })).status, 400);
  }
});

test('chat REST: members read (empty at first), outsiders get 404, unknown ids are not removed', async () => {
  const made = await create(owner, { dojoDate: '2025-05-05', members: [member.userId], subject: 'Chat' });
  const route = `/v1/user/messages?roomId=${made.body.dojoId}`;
  assert.equal((await api(sys.url, 'GET', route, member.token)).body, { messages: [] });
  assert.is((await api(sys.url, 'GET', route, other.token)).status, 404);
  assert.is((await api(sys.url, 'GET', route, stranger.token)).status, 404);
  assert.is((await api(sys.url, 'GET', '/v1/user/messages', member.token)).status, 400);
  const removed = await api(sys.url, 'POST', '/v1/user/messages', member.token, {
    messageIds: [randomUUID()],
  });
  assert.equal([removed.status, removed.body], [200, { success: true, removed: 0 }]);
  assert.is((await api(sys.url, 'POST', '/v1/user/messages', member.token, { messageIds: [] })).status, 400);
  assert.is(
    (await api(sys.url, 'POST', '/v1/user/messages', member.token, { messageIds: ['x'] })).status,
    400,
  );
});

test('the OpenAPI document describes every dojo endpoint', async () => {
  const doc = (await (await fetch(`${sys.url}/openapi.json`)).json()) as {
    paths: Record<string, Record<string, unknown>>;
  };
  for (const [path, method] of [
    ['/v1/dojo/create', 'post'],
    ['/v1/dojos', 'get'],
    ['/v1/dojos/{dojoId}', 'get'],
    ['/v1/dojo/start', 'post'],
    ['/v1/dojo/stop', 'post'],
    ['/v1/user/messages', 'get'],
    ['/v1/user/messages', 'post'],
  ] as const) {
    assert.ok(doc.paths[path]?.[method], `${method} ${path}`);
  }
});

test.run();
