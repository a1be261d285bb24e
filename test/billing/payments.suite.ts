import { randomUUID } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_PLANS } from '../../config/plans.ts';
import { createAccountsModule } from '../../server/modules/accounts/index.ts';
import { MODULES } from '../../server/modules-list.ts';
import { CHEAP_HASHING } from '../accounts/harness.ts';
import { confirmAccount, signUp, signUpAndLogin, type LoggedIn } from '../support/accounts.ts';
import type { Backend } from '../support/backends.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';
import { call, chargesOf, MONTHLY, pay, sandboxOf } from './harness.ts';

/** FREE allows two members here, so the member limit is reached without signing up many people. */
export const SMALL_FREE_PLANS = JSON.stringify(
  DEFAULT_PLANS.map((p) => (p.plan === 'FREE' ? { ...p, limits: { ...p.limits, members: 2 } } : p)),
);

export function paymentsSuite(backend: Backend): void {
  const s = suite(`billing: payments (${backend.label})`);
  let system: TestSystem;
  let owner: LoggedIn;
  let member: LoggedIn;
  let other: LoggedIn;
  const get = (route: string, who: LoggedIn) => call(system.url, 'GET', route, who);

  s.before(async () => {
    const modules = MODULES.map((m) =>
      m.name === 'accounts' ? createAccountsModule({ hashing: CHEAP_HASHING }) : m,
    );
    system = await startTestSystem({ env: { ...backend.env, BILLING_PLANS: SMALL_FREE_PLANS }, modules });
    owner = await signUpAndLogin(system, { firstName: 'Olga' });
    member = await signUpAndLogin(system, { invitedBy: owner.token, firstName: 'Mia' });
    other = await signUpAndLogin(system, { firstName: 'Otto' });
  });
  s.after(async () => {
    await system?.cleanup();
    await backend.cleanup();
  });

  s('the plans come from the server with prices in minor units', async () => {
    const res = await call(system.url, 'GET', '/v1/plans', undefined);
    assert.is(res.status, 200);
    const plans = res.body.plans as { plan: string; priceCents: number; limits: { members: number } }[];
    assert.equal(plans.map((p) => p.plan).sort(), ['FREE', 'M', 'Y']);
    assert.is(plans.find((p) => p.plan === 'M')?.priceCents, 999);
    assert.is(plans.find((p) => p.plan === 'FREE')?.limits.members, 2);
  });

  s('FREE: the member limit and recording are refused with 402 naming the limit', async () => {
    const invite = await call(system.url, 'POST', '/v1/tenant/invitations', owner, {
      email: `x${Date.now()}@example.com`,
    });
    assert.is(invite.status, 402, invite.text);
    assert.is(invite.body.code, 'TENANT.MEMBER_LIMIT');
    assert.is((invite.body.errors as { path: string }[])[0]?.path, 'limits.members');
    const dojo = await call(system.url, 'POST', '/v1/dojo/create', owner, {
      dojoDate: new Date(Date.now() + 3600_000).toISOString(),
      members: [member.userId],
      subject: 'Recorded kata',
    });
    assert.is(dojo.status, 201);
    const start = await call(system.url, 'POST', '/v1/dojo/start', owner, { dojoId: dojo.body.dojoId });
    assert.is(start.status, 402, start.text);
    assert.is((start.body.errors as { path: string }[])[0]?.path, 'limits.recording');
  });

  s(
    'two invitees confirming for the last seat: one joins, the other gets 402 and can join once there is room',
    async () => {
      const boss = await signUpAndLogin(system, { firstName: 'Bea' });
      // One member, one seat left: both invitations and both sign-ups pass, as they are not seats yet.
      const invitees = await Promise.all([0, 1].map(() => signUp(system, { invitedBy: boss.token })));
      const answers = await Promise.all(invitees.map((a) => confirmAccount(system, a)));
      assert.equal(answers.map((a) => a.status).sort(), [200, 402], JSON.stringify(answers));
      const refused = answers.findIndex((a) => a.status === 402);
      assert.is(answers[refused]?.body.code, 'TENANT.MEMBER_LIMIT');
      assert.is((answers[refused]?.body.errors as { path: string }[])[0]?.path, 'limits.members');
      const members = async () => (await get('/v1/tenant/members', boss)).body.members as unknown[];
      assert.is((await members()).length, 2);
      // The refused one's link still works: again 402 while the plan is full, then in once it has room.
      const again = await confirmAccount(system, invitees[refused]!);
      assert.is(again.status, 402, JSON.stringify(again.body));
      const paid = await pay(system.url, boss, MONTHLY, randomUUID());
      assert.is(paid.status, 201, paid.text);
      assert.is((await confirmAccount(system, invitees[refused]!)).status, 200);
      assert.is((await members()).length, 3);
    },
  );

  s(
    'members from before seats were kept hold theirs: the one seat left still goes to one invitee',
    async () => {
      const boss = await signUpAndLogin(system, { firstName: 'Lea' });
      // As a tenant from before seats_by_tenant: its owner is a member without a seat row.
      await system.adapters.store.delete('seats_by_tenant', { tenant_id: boss.tenantId });
      const invitees = await Promise.all([0, 1].map(() => signUp(system, { invitedBy: boss.token })));
      const answers = await Promise.all(invitees.map((a) => confirmAccount(system, a)));
      assert.equal(answers.map((a) => a.status).sort(), [200, 402], JSON.stringify(answers));
      const seats = await system.adapters.store.query('seats_by_tenant', {
        where: { tenant_id: boss.tenantId },
      });
      const joined = await get('/v1/tenant/members', boss);
      const memberIds = (joined.body.members as { userId: string }[]).map((m) => m.userId).sort();
      assert.equal(seats.rows.map((r) => String(r.user_id)).sort(), memberIds, 'one seat per member');
      assert.ok(memberIds.includes(boss.userId));
      assert.is(memberIds.length, 2);
    },
  );

  s('bad payments are 400s naming the field, and nothing is charged', async () => {
    const bad = [
      { body: { ...MONTHLY, total: 9.98 }, key: randomUUID(), field: 'total' },
      { body: { ...MONTHLY, total: 9.991 }, key: randomUUID(), field: 'total' },
      { body: { ...MONTHLY, paymentGateway: 'paypal' }, key: randomUUID(), field: 'paymentGateway' },
      { body: { ...MONTHLY, plan: 'FREE' }, key: randomUUID(), field: 'plan' },
      { body: MONTHLY, key: undefined, field: 'Idempotency-Key' },
      { body: MONTHLY, key: 'x'.repeat(256), field: 'Idempotency-Key' },
    ];
    for (const b of bad) {
      const res = await call(system.url, 'POST', '/v1/payment', owner, b.body, b.key);
      assert.is(res.status, 400, `${JSON.stringify(b.body)}: ${res.text}`);
      assert.ok(
        (res.body.errors as { path: string }[]).some((e) => e.path === b.field),
        res.text,
      );
    }
    assert.is((await chargesOf(system, owner.tenantId)).length, 0);
  });

  s('a member cannot pay, nor read billing', async () => {
    assert.is((await pay(system.url, member, MONTHLY, randomUUID())).status, 403);
    assert.is((await get('/v1/billing', member)).status, 403);
  });

  s('declined: 402, kept in the list, nothing activated; its replay is the same 402', async () => {
    const key = randomUUID();
    const declined = await pay(system.url, owner, { ...MONTHLY, paymentToken: 'tok_chargeDeclined' }, key);
    assert.is(declined.status, 402, declined.text);
    assert.is(declined.body.code, 'BILLING.PAYMENT_DECLINED');
    const again = await pay(system.url, owner, { ...MONTHLY, paymentToken: 'tok_chargeDeclined' }, key);
    assert.is(again.status, 402);
    assert.is(again.text, declined.text);
    const poor = await pay(
      system.url,
      owner,
      { ...MONTHLY, paymentToken: 'tok_insufficientFunds' },
      randomUUID(),
    );
    assert.is(poor.status, 402);
    const billing = await get('/v1/billing', owner);
    assert.is((billing.body.subscription as { plan: string }).plan, 'FREE');
    const payments = billing.body.payments as { status: string; declineCode: string }[];
    assert.equal(
      payments.map((p) => [p.status, p.declineCode]),
      [
        ['DECLINED', 'insufficient_funds'],
        ['DECLINED', 'card_declined'],
      ],
    );
    assert.is((await chargesOf(system, owner.tenantId)).length, 2, 'one gateway attempt per key');
  });

  s('20 concurrent payments with one key: one charge, one 201 body, the rest replays or 409', async () => {
    const key = randomUUID();
    const answers = await Promise.all(Array.from({ length: 20 }, () => pay(system.url, owner, MONTHLY, key)));
    const created = answers.filter((a) => a.status === 201);
    const busy = answers.filter((a) => a.status === 409);
    assert.is(created.length + busy.length, 20, answers.map((a) => a.status).join(','));
    assert.ok(created.length >= 1);
    assert.is(new Set(created.map((a) => a.text)).size, 1, 'every 201 is the same body');
    for (const b of busy) {
      assert.is(b.body.code, 'BILLING.IDEMPOTENCY_IN_PROGRESS');
      assert.ok(Number(b.headers.get('retry-after')) >= 1);
    }
    const replay = await pay(system.url, owner, MONTHLY, key);
    assert.is(replay.status, 201);
    assert.is(replay.text, created[0]?.text);
    const charges = (await chargesOf(system, owner.tenantId)).filter((c) => c.status === 'succeeded');
    assert.is(charges.length, 1, 'the gateway charged once');
    const sub = created[0]?.body.subscription as { plan: string; status: string; expiresAt: string };
    assert.is(sub.plan, 'M');
    assert.is(sub.status, 'ACTIVE');
    const tenant = await get('/v1/tenant', owner);
    assert.equal(tenant.body.subscription, sub);
  });

  s('the same key with another body is 409; another tenant has its own keys', async () => {
    const key = randomUUID();
    assert.is((await pay(system.url, owner, MONTHLY, key)).status, 201);
    const changed = await pay(system.url, owner, { ...MONTHLY, paymentToken: 'tok_mastercard' }, key);
    assert.is(changed.status, 409);
    assert.is(changed.body.code, 'BILLING.IDEMPOTENCY_KEY_REUSED');
    const theirs = await pay(system.url, other, MONTHLY, key);
    assert.is(theirs.status, 201, 'the same key in another tenant is a payment of its own');
    assert.is((await chargesOf(system, other.tenantId)).length, 1);
  });

  s('paying again before expiry extends from expiresAt; the paid plan lifts the limits', async () => {
    const before = (await get('/v1/billing', owner)).body.subscription as { expiresAt: string };
    const res = await pay(system.url, owner, MONTHLY, randomUUID());
    assert.is(res.status, 201);
    const after = (res.body.subscription as { expiresAt: string }).expiresAt;
    const gainedDays = (Date.parse(after) - Date.parse(before.expiresAt)) / 86_400_000;
    assert.ok(gainedDays >= 28 && gainedDays <= 31, `extended by ${gainedDays} days`);
    const invite = await call(system.url, 'POST', '/v1/tenant/invitations', owner, {
      email: `y${Date.now()}@example.com`,
    });
    assert.is(invite.status, 201, invite.text);
  });

  s('GET /v1/billing pages newest first with a cursor; a bad cursor is a 400', async () => {
    const all = (await get('/v1/billing?limit=100', owner)).body.payments as {
      paymentId: string;
      created: string;
    }[];
    assert.ok(all.length >= 5);
    const sorted = [...all].sort((a, b) => Date.parse(b.created) - Date.parse(a.created));
    assert.equal(all, sorted);
    const first = await get('/v1/billing?limit=2', owner);
    const second = await get(
      `/v1/billing?limit=2&cursor=${encodeURIComponent(String(first.body.nextCursor))}`,
      owner,
    );
    const ids = [
      ...(first.body.payments as { paymentId: string }[]),
      ...(second.body.payments as { paymentId: string }[]),
    ];
    assert.equal(
      ids.map((p) => p.paymentId),
      all.slice(0, 4).map((p) => p.paymentId),
    );
    const bad = await get('/v1/billing?cursor=not-a-cursor', owner);
    assert.is(bad.status, 400, bad.text);
    assert.is((bad.body.errors as { path: string }[])[0]?.path, 'query.cursor');
  });

  s('auto-renew turns on and off; on FREE there is nothing to renew', async () => {
    const on = await call(system.url, 'POST', '/v1/billing/auto-renew', owner, { autoRenew: true });
    assert.is(on.status, 200, on.text);
    assert.is((on.body.subscription as { autoRenew: boolean }).autoRenew, true);
    const off = await call(system.url, 'POST', '/v1/billing/auto-renew', owner, { autoRenew: false });
    assert.is((off.body.subscription as { autoRenew: boolean }).autoRenew, false);
    const free = await call(system.url, 'POST', '/v1/billing/auto-renew', other, { autoRenew: true });
    assert.is(free.status, 200, 'other paid M above');
    const stranger = await signUpAndLogin(system, { firstName: 'Sam' });
    const none = await call(system.url, 'POST', '/v1/billing/auto-renew', stranger, { autoRenew: true });
    assert.is(none.status, 409);
    assert.is(none.body.code, 'BILLING.NOTHING_TO_RENEW');
  });

  s('a gateway that is down is a 503 and the retry with the same key charges once', async () => {
    const key = randomUUID();
    sandboxOf(system).failNext('unavailable');
    const down = await pay(system.url, other, { ...MONTHLY, paymentToken: 'tok_mastercard' }, key);
    assert.is(down.status, 503, down.text);
    const ok = await pay(system.url, other, { ...MONTHLY, paymentToken: 'tok_mastercard' }, key);
    assert.is(ok.status, 201, ok.text);
    const mine = (await chargesOf(system, other.tenantId)).filter((c) => c.status === 'succeeded');
    assert.is(mine.length, 2, 'the first payment of this tenant and this one');
  });

  s.run();
}
