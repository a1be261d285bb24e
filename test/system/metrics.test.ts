/** Where `/metrics` is served and who may read it; what it never carries (tenant or user ids). */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { signUpAndLogin } from '../support/accounts.ts';
import { freePort, startTestSystem, type TestSystem } from '../support/system.ts';
import { CHEAP_HASHING } from '../accounts/harness.ts';
import { MODULES } from '../../server/modules-list.ts';
import { createAccountsModule } from '../../server/modules/accounts/index.ts';

const s = suite('metrics: access and contents');
const systems: TestSystem[] = [];
const start = async (env: Record<string, string> = {}) => {
  const modules = MODULES.map((m) =>
    m.name === 'accounts' ? createAccountsModule({ hashing: CHEAP_HASHING }) : m,
  );
  const system = await startTestSystem({ env, modules });
  systems.push(system);
  return system;
};
s.after(() => Promise.all(systems.map((x) => x.cleanup())).then(() => undefined));

s(
  'by default: served to local clients only, and no tenant or user id in it after authenticated calls',
  async () => {
    const system = await start({ TRUST_PROXY: '1' });
    const user = await signUpAndLogin(system);
    await fetch(`${system.url}/v1/account/profile`, { headers: { authorization: `Bearer ${user.token}` } });
    const local = await fetch(`${system.url}/metrics`);
    assert.is(local.status, 200);
    const text = await local.text();
    assert.match(text, /route="\/v1\/account\/profile"/);
    assert.not.ok(text.includes(user.tenantId), 'no tenant id');
    assert.not.ok(text.includes(user.userId), 'no user id');
    assert.not.match(text, /tenant=/);
    // Behind a trusted proxy, a request from elsewhere is not local: the metrics do not exist for it.
    const remote = await fetch(`${system.url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    assert.is(remote.status, 404);
    assert.match(remote.headers.get('content-type') ?? '', /^application\/problem\+json/);
  },
);

s('with METRICS_TOKEN: a bearer holding it reads them, anyone else gets a 401', async () => {
  const token = 'metrics-token-0123456789';
  const system = await start({ METRICS_TOKEN: token });
  assert.is((await fetch(`${system.url}/metrics`)).status, 401);
  const wrong = await fetch(`${system.url}/metrics`, {
    headers: { authorization: 'Bearer nope-nope-nope-nope' },
  });
  assert.is(wrong.status, 401);
  const ok = await fetch(`${system.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  assert.is(ok.status, 200);
  assert.match(await ok.text(), /dojo_process_cpu_user_seconds_total/);
});

s('with METRICS_PORT: served there only, not on the main port', async () => {
  const port = await freePort();
  const system = await start({ METRICS_PORT: String(port) });
  assert.is(system.metricsUrl, `http://127.0.0.1:${port}`);
  assert.is((await fetch(`${system.url}/metrics`)).status, 404);
  const there = await fetch(`${system.metricsUrl}/metrics`);
  assert.is(there.status, 200);
  assert.is((await fetch(`${system.metricsUrl}/v1/account/profile`)).status, 404, 'nothing else there');
  const doc = (await (await fetch(`${system.url}/openapi.json`)).json()) as {
    paths: Record<string, unknown>;
  };
  assert.not.ok(doc.paths['/metrics'], 'the main port does not document it');
});

s.run();
