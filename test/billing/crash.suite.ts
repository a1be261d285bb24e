import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createAccountsModule } from '../../server/modules/accounts/index.ts';
import { createBillingModule } from '../../server/modules/billing/index.ts';
import { MODULES } from '../../server/modules-list.ts';
import { CHEAP_HASHING } from '../accounts/harness.ts';
import { signUpAndLogin } from '../support/accounts.ts';
import type { Backend } from '../support/backends.ts';
import { spawnSystem, startTestSystem } from '../support/system.ts';
import { call, chargesOf, MONTHLY, pay, waitFor } from './harness.ts';

/** A payment whose process is SIGKILLed after the gateway charged and before anything was written. */
export function crashSuite(backend: Backend): void {
  const s = suite(`billing: a crash between the charge and the write (${backend.label})`);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dojo-billing-crash-'));
  // Both processes are one deployment: tokens name the public URL as their issuer, not a port.
  const env = { ...backend.env, PUBLIC_URL: 'http://dojo.test' };
  s.after(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    await backend.cleanup();
  });

  s('the client retrying with the same key gets a 201, and the card was charged once', async () => {
    const child = await spawnSystem(
      { ...env, DATA_DIR: dataDir, ROLES: 'api,workers' },
      { entry: 'test/billing/fixtures/crash-server.ts', timeoutMs: 60_000 },
    );
    const sut = { url: child.url, dataDir };
    const owner = await signUpAndLogin(sut, { firstName: 'Kim' });
    const key = randomUUID();
    const lost = pay(child.url, owner, MONTHLY, key).then(
      (r) => `answered ${r.status}`,
      () => 'no answer',
    );
    await waitFor('the charge', async () => (child.output().includes('CHARGED ') ? true : undefined));
    await child.stop('SIGKILL');
    assert.is(await lost, 'no answer', 'the first request died unanswered');

    const modules = MODULES.map((m) => {
      if (m.name === 'accounts') return createAccountsModule({ hashing: CHEAP_HASHING });
      if (m.name === 'billing') return createBillingModule({ claimLeaseMs: 1500 });
      return m;
    });
    const system = await startTestSystem({ env, modules, dataDir });
    try {
      const statuses: number[] = [];
      const done = await waitFor('the retried payment', async () => {
        const r = await pay(system.url, owner, MONTHLY, key);
        statuses.push(r.status);
        return r.status === 409 ? undefined : r;
      });
      assert.is(done.status, 201, done.text);
      assert.ok(
        statuses.slice(0, -1).every((st) => st === 409),
        statuses.join(','),
      );
      const charges = await chargesOf(system, owner.tenantId);
      assert.is(charges.length, 1, 'one charge at the gateway');
      const billing = await call(system.url, 'GET', '/v1/billing', owner);
      const payments = billing.body.payments as { paymentId: string; status: string }[];
      assert.equal(
        payments.map((p) => p.status),
        ['SUCCEEDED'],
      );
      assert.is(payments[0]?.paymentId, done.body.paymentId);
      assert.is((billing.body.subscription as { plan: string }).plan, 'M');
      const replay = await pay(system.url, owner, MONTHLY, key);
      assert.is(replay.text, done.text);
    } finally {
      await system.cleanup();
    }
  });

  s.run();
}
