import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { DomainEvent } from '../../server/capabilities.ts';
import type { AnnualReportData, BillingReportData } from '../../server/modules/reports/pdf/data.ts';
import { createAccountsModule } from '../../server/modules/accounts/index.ts';
import { MODULES } from '../../server/modules-list.ts';
import { CHEAP_HASHING } from '../accounts/harness.ts';
import { call, waitFor } from '../billing/harness.ts';
import { signUpAndLogin, type LoggedIn } from '../support/accounts.ts';
import type { Backend } from '../support/backends.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';
import { dumpTables } from './events.ts';

const YEAR = new Date().getUTCFullYear();
const POCS = [
  { name: 'Lexer', language: 'TypeScript', tags: ['parsing', 'web'], favorite: true },
  { name: 'Queue', language: 'Go', tags: ['infra'] },
  { name: 'Shader', language: 'typescript', tags: ['web', 'gfx'] },
  { name: 'Scratch', language: 'Rust', tags: [] },
];

/**
 * The reports end to end: facts written through the API become events, the projector puts them in the read
 * model, a report job turns that into JSON and a PDF whose figures are the ones the test created.
 */
export function reportsSuite(backend: Backend): void {
  const s = suite(`reports (${backend.label})`);
  let system: TestSystem;
  let owner: LoggedIn;
  let other: LoggedIn;
  let leftId = '';
  const seen: DomainEvent[] = [];
  const api = (method: string, route: string, who: LoggedIn, body?: unknown, key?: string) =>
    call(system.url, method, route, who, body, key);
  /** A file link: the embedded blob store's are on the PUBLIC_URL (`localhost`, port 0 here), S3's as they are. */
  const download = (link: string) => {
    const u = new URL(link);
    return fetch(u.hostname === 'localhost' ? system.url + u.pathname + u.search : link);
  };
  const finished = (who: LoggedIn, reportId: string) =>
    waitFor(
      `report ${reportId}`,
      async () => {
        const r = await api('GET', `/v1/report/${reportId}`, who);
        return r.body.status === 'DONE' || r.body.status === 'FAILED' ? r : undefined;
      },
      60_000,
    );

  s.before(async () => {
    const modules = MODULES.map((m) =>
      m.name === 'accounts' ? createAccountsModule({ hashing: CHEAP_HASHING }) : m,
    );
    system = await startTestSystem({ env: backend.env, modules });
    for (const topic of ['events.accounts', 'events.pocs', 'events.dojos', 'events.billing']) {
      await system.adapters.queue.subscribe({
        topic,
        group: `test-${randomUUID()}`,
        handler: async (m) => void seen.push(m.value as DomainEvent),
      });
    }
    owner = await signUpAndLogin(system, { firstName: 'Ada' });
    await signUpAndLogin(system, { firstName: 'Bea', invitedBy: owner.token });
    // Cy joins and is disabled again: a member who left, not counted at the end of the year.
    leftId = (await signUpAndLogin(system, { firstName: 'Cy', invitedBy: owner.token })).userId;
    await system.capabilities.accountsAdmin?.disableUser(leftId);
    other = await signUpAndLogin(system, { firstName: 'Otto' });
    const ids: string[] = [];
    for (const poc of POCS) {
      const made = await api('POST', '/v1/pocs', owner, { ...poc, repoUrl: 'https://example.com/r' });
      assert.is(made.status, 201, made.text);
      ids.push(String(made.body.id));
    }
    await api('PATCH', `/v1/pocs/${ids[1]}`, owner, { language: 'Rust' });
    await api('PUT', `/v1/pocs/${ids[2]}/favorite`, owner);
    await api('PUT', `/v1/pocs/${ids[1]}/favorite`, owner);
    await api('DELETE', `/v1/pocs/${ids[1]}/favorite`, owner);
    await api('DELETE', `/v1/pocs/${ids[3]}`, owner);
    await api('POST', '/v1/dojo/create', owner, {
      dojoDate: new Date().toISOString(),
      members: [],
      subject: 'Kata',
    });
    const pay = { plan: 'M', total: 9.99, paymentGateway: 'sandbox' };
    assert.is(
      (await api('POST', '/v1/payment', owner, { ...pay, paymentToken: 'tok_visa' }, randomUUID())).status,
      201,
    );
    assert.is(
      (await api('POST', '/v1/payment', owner, { ...pay, paymentToken: 'tok_chargeDeclined' }, randomUUID()))
        .status,
      402,
    );
    // The read model is eventually consistent (outbox → queue → projector): wait until it holds what was written.
    const db = system.adapters.analytics;
    const count = async (sql: string) => (await db.query<{ n: number }>(sql))[0]?.n ?? 0;
    const expected: Record<string, number> = {
      tenants: 2,
      members: 4,
      pocs: 3,
      dojos: 1,
      payments: 2,
      subscriptions: 1,
    };
    let lag = '';
    await waitFor(
      'the projection',
      async () => {
        for (const [table, n] of Object.entries(expected)) {
          const have = await count(`SELECT count(*) AS n FROM ${table}`);
          if (have !== n) return ((lag = `${table}: ${have} of ${n}`), undefined);
        }
        return true;
      },
      60_000,
    ).catch((error: Error) => {
      console.error(`${error.message} (${lag})`);
      throw error;
    });
  });
  s.after(async () => {
    await system?.cleanup();
    await backend.cleanup();
  });

  s('every fact written is published as an event, keyed by its tenant', async () => {
    const wanted = [
      'tenant.created',
      'user.confirmed',
      'member.joined',
      'poc.created',
      'poc.updated',
      'poc.favourited',
      'poc.unfavourited',
      'poc.deleted',
      'member.left',
      'dojo.created',
      'payment.succeeded',
      'payment.failed',
      'subscription.changed',
    ];
    await waitFor(
      'the events',
      async () => (wanted.every((t) => seen.some((e) => e.type === t)) ? true : undefined),
      30_000,
    );
    const mine = seen.filter((e) => e.tenantId === owner.tenantId);
    assert.is(mine.filter((e) => e.type === 'poc.created').length, 4);
    assert.is(mine.filter((e) => e.type === 'member.joined').length, 3);
    assert.equal(
      mine.filter((e) => e.type === 'member.left').map((e) => e.data.userId),
      [leftId],
    );
    for (const e of mine) assert.match(e.eventId, /^[0-9a-f]{8}-[0-9a-f]{4}-7/);
  });

  s('the annual report: JSON figures are what the test created, and the PDF says them', async () => {
    const asked = await api('POST', '/v1/report/anual', owner, { year: YEAR });
    assert.is(asked.status, 202, asked.text);
    const done = await finished(owner, String(asked.body.reportId));
    assert.is(done.body.status, 'DONE', done.text);
    const files = done.body.files as { pdf: string; json: string };
    const json = (await (await download(files.json)).json()) as AnnualReportData;
    assert.is(json.tenantId, owner.tenantId);
    assert.is(json.members, 2);
    assert.is(json.pocs.total, 3, 'the deleted one is not counted');
    assert.is(json.pocs.favorites, 2);
    assert.equal(json.pocs.byLanguage, [
      { language: 'typescript', count: 2 },
      { language: 'rust', count: 1 },
    ]);
    assert.equal(json.pocs.topTags[0], { tag: 'web', count: 2 });
    assert.is(json.pocs.byMonth[new Date().getUTCMonth()], 3);
    assert.is(json.dojos.total, 1);
    const pdf = Buffer.from(await (await download(files.pdf)).arrayBuffer());
    assert.is(pdf.subarray(0, 5).toString(), '%PDF-');
    const dir = mkdtempSync(path.join(tmpdir(), 'dojo-report-'));
    try {
      writeFileSync(path.join(dir, 'r.pdf'), pdf);
      const text = execFileSync('pdftotext', ['-layout', path.join(dir, 'r.pdf'), '-'], { encoding: 'utf8' });
      assert.match(text, "Ada's workspace");
      assert.match(text, String(YEAR));
      assert.match(text, /typescript/i);
      assert.match(text, /\b3\b.*POCs|POCs.*\b3\b/s);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  s('the billing report counts the payment and the decline', async () => {
    const asked = await api('POST', '/v1/report/billing', owner, {});
    const done = await finished(owner, String(asked.body.reportId));
    const json = (await (
      await download((done.body.files as { json: string }).json)
    ).json()) as BillingReportData;
    assert.equal(json.payments.count, 1);
    assert.equal(json.payments.totalCents, 999);
    assert.is(json.failedPayments, 1);
    assert.is(json.subscription.plan, 'M');
  });

  s(
    "another tenant's report is a 404; asking twice while it runs is one id; the list is newest first",
    async () => {
      const [a, b] = await Promise.all([
        api('POST', '/v1/report/annual', owner, { year: YEAR - 1 }),
        api('POST', '/v1/report/annual', owner, { year: YEAR - 1 }),
      ]);
      assert.is(a.body.reportId, b.body.reportId);
      assert.is((await api('GET', `/v1/report/${a.body.reportId}`, other)).status, 404);
      await finished(owner, String(a.body.reportId));
      const list = await api('GET', '/v1/reports?limit=2', owner);
      const reports = list.body.reports as { reportId: string }[];
      assert.is(reports[0]?.reportId, a.body.reportId);
      const next = await api('GET', `/v1/reports?limit=2&cursor=${String(list.body.nextCursor)}`, owner);
      assert.is((next.body.reports as unknown[]).length, 1);
      assert.is((await api('GET', '/v1/reports?cursor=bogus', owner)).status, 400);
    },
  );

  s('the backfill rebuilds the same read model from the system of record', async () => {
    const db = system.adapters.analytics;
    const projected = await dumpTables(db);
    const admin = system.capabilities.reportsAdmin;
    assert.ok(admin);
    const { events } = await admin.backfill();
    assert.ok(events > 10, `${events} events replayed`);
    assert.equal(await dumpTables(db), projected);
  });

  s.run();
}
