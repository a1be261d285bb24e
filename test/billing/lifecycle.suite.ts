import { randomUUID } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createAccountsModule } from '../../server/modules/accounts/index.ts';
import { createBillingModule } from '../../server/modules/billing/index.ts';
import { createSchedulerModule } from '../../server/modules/scheduler/index.ts';
import { MODULES } from '../../server/modules-list.ts';
import { CHEAP_HASHING } from '../accounts/harness.ts';
import { signUpAndLogin, type LoggedIn } from '../support/accounts.ts';
import type { Backend } from '../support/backends.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';
import { call, chargesOf, MONTHLY, pay, TestClock, waitFor } from './harness.ts';

const MIN = 60_000;
/** A simulated calendar where a month lasts an hour, so the scheduler's minute index stays small. */
const HOUR_MONTH = (from: Date) => new Date(from.getTime() + 60 * MIN);
const TIMING = {
  renewLeadMs: 5 * MIN,
  expiringNoticeMs: 10 * MIN,
  graceMs: 30 * MIN,
  retryDelaysMs: [5 * MIN],
  gatewayRetryMs: 2 * MIN,
};

interface Sub {
  plan: string;
  status: string;
  expiresAt: string | null;
  autoRenew: boolean;
}

/**
 * Renewal, past due and downgrade driven by the scheduler: one system whose scheduler and billing read a
 * clock the test moves (forward only: the tenants' stories run one after another on the same clock).
 */
export function lifecycleSuite(backend: Backend): void {
  const s = suite(`billing: renewals on the scheduler (${backend.label})`);
  const clock = new TestClock(new Date());
  let system: TestSystem;
  const billing = async (who: LoggedIn) => (await call(system.url, 'GET', '/v1/billing', who)).body;
  const subOf = async (who: LoggedIn) => (await billing(who)).subscription as Sub;
  const noticed = (who: LoggedIn, type: string) =>
    waitFor(`a ${type} notification`, async () => {
      const feed = await call(system.url, 'GET', '/v1/user/notification', who);
      const list = feed.body.notifications as { type: string; data: Record<string, string> }[];
      return list.find((n) => n.type === type);
    });
  const subWhen = (who: LoggedIn, what: string, ok: (s: Sub) => boolean) =>
    waitFor(what, async () => {
      const sub = await subOf(who);
      return ok(sub) ? sub : undefined;
    });
  const moveTo = (expiresAt: string, offsetMs: number) =>
    clock.set(new Date(Date.parse(expiresAt) + offsetMs));

  s.before(async () => {
    const modules = MODULES.map((m) => {
      if (m.name === 'accounts') return createAccountsModule({ hashing: CHEAP_HASHING });
      if (m.name === 'scheduler') return createSchedulerModule({ now: clock.ms, pollMs: 50 });
      if (m.name === 'billing')
        return createBillingModule({ now: clock.date, timing: TIMING, periodEnd: HOUR_MONTH });
      return m;
    });
    system = await startTestSystem({ env: backend.env, modules });
  });
  s.after(async () => {
    await system?.cleanup();
    await backend.cleanup();
  });

  s('auto-renew: charged before expiry with its own key, extended by a period, told', async () => {
    const owner = await signUpAndLogin(system, { firstName: 'Rene' });
    const paid = await pay(system.url, owner, { ...MONTHLY, autoRenew: true }, randomUUID());
    assert.is(paid.status, 201, paid.text);
    const first = paid.body.subscription as Sub;
    assert.is(first.autoRenew, true);
    moveTo(String(first.expiresAt), -TIMING.renewLeadMs + MIN);
    const renewed = await subWhen(owner, 'the renewal', (x) => x.expiresAt !== first.expiresAt);
    assert.is(Date.parse(String(renewed.expiresAt)) - Date.parse(String(first.expiresAt)), 60 * MIN);
    assert.is(renewed.status, 'ACTIVE');
    const payments = (await billing(owner)).payments as { kind: string; status: string }[];
    assert.equal(payments[0], { ...payments[0], kind: 'RENEWAL', status: 'SUCCEEDED' });
    assert.is((await chargesOf(system, owner.tenantId)).length, 2, 'the purchase and one renewal');
    await noticed(owner, 'subscription.renewed');
  });

  s(
    'a failed renewal: PAST_DUE, retried with backoff, downgraded to FREE after the grace period',
    async () => {
      const owner = await signUpAndLogin(system, { firstName: 'Paula' });
      const body = { ...MONTHLY, paymentToken: 'tok_chargeCustomerFail', autoRenew: true };
      const paid = await pay(system.url, owner, body, randomUUID());
      assert.is(paid.status, 201, paid.text);
      const exp = String((paid.body.subscription as Sub).expiresAt);
      moveTo(exp, -TIMING.renewLeadMs + MIN);
      const due = await subWhen(owner, 'PAST_DUE', (x) => x.status === 'PAST_DUE');
      assert.is(due.plan, 'M', 'the plan is kept while past due');
      await noticed(owner, 'payment.failed');
      const declinedCount = async () =>
        ((await billing(owner)).payments as { kind: string; status: string }[]).filter(
          (p) => p.kind === 'RENEWAL' && p.status === 'DECLINED',
        ).length;
      assert.is(await declinedCount(), 1);
      moveTo(exp, -TIMING.renewLeadMs + MIN + TIMING.retryDelaysMs[0]! + MIN);
      await waitFor('a second attempt', async () => ((await declinedCount()) === 2 ? true : undefined));
      moveTo(exp, TIMING.graceMs + MIN);
      const free = await subWhen(owner, 'the downgrade', (x) => x.plan === 'FREE');
      assert.equal(free, { plan: 'FREE', status: 'ACTIVE', expiresAt: null, autoRenew: false });
      await noticed(owner, 'subscription.downgraded');
      const tenant = await call(system.url, 'GET', '/v1/tenant', owner);
      assert.is((tenant.body.subscription as Sub).plan, 'FREE');
    },
  );

  s('without auto-renew: warned before expiry, FREE at expiry; paying again starts from now', async () => {
    const owner = await signUpAndLogin(system, { firstName: 'Nora' });
    const paid = await pay(system.url, owner, MONTHLY, randomUUID());
    const exp = String((paid.body.subscription as Sub).expiresAt);
    moveTo(exp, -TIMING.expiringNoticeMs + MIN);
    const warned = await noticed(owner, 'subscription.expiring');
    assert.is(warned.data.expiresAt, exp);
    assert.is((await subOf(owner)).plan, 'M');
    moveTo(exp, MIN);
    await subWhen(owner, 'the downgrade at expiry', (x) => x.plan === 'FREE');
    await noticed(owner, 'subscription.downgraded');
    const again = await pay(system.url, owner, MONTHLY, randomUUID());
    const next = again.body.subscription as Sub;
    assert.is(Date.parse(String(next.expiresAt)), clock.ms() + 60 * MIN);
  });

  s.run();
}
