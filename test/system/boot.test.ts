import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSystem, startTestSystem, type TestSystem } from '../support/system.ts';

const inProcess = suite('system on embedded defaults (in process)');
let system: TestSystem;
inProcess.before(async () => {
  system = await startTestSystem();
});
inProcess.after(() => system.cleanup());

inProcess('/healthz and /readyz answer 200, readiness checks every adapter', async () => {
  const health = await fetch(`${system.url}/healthz`);
  assert.is(health.status, 200);
  assert.equal(await health.json(), { status: 'ok' });
  const ready = await fetch(`${system.url}/readyz`);
  const body = (await ready.json()) as { status: string; checks: Record<string, { status: string }> };
  assert.is(ready.status, 200, JSON.stringify(body));
  assert.equal(Object.keys(body.checks).sort(), [
    'analytics',
    'blobs',
    'bus',
    'cache',
    'leases',
    'mailer',
    'queue',
    'store',
  ]);
  assert.ok(Object.values(body.checks).every((c) => c.status === 'ok'));
});

inProcess('/metrics is Prometheus text with process and HTTP metrics', async () => {
  await fetch(`${system.url}/healthz`);
  const res = await fetch(`${system.url}/metrics`);
  assert.is(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  assert.match(text, /# TYPE dojo_process_cpu_user_seconds_total counter/);
  assert.match(text, /dojo_http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/);
  assert.match(text, /dojo_http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/healthz"/);
});

inProcess('/openapi.json is an OpenAPI 3.1 document of the mounted endpoints', async () => {
  const res = await fetch(`${system.url}/openapi.json`);
  assert.is(res.status, 200);
  const doc = (await res.json()) as {
    openapi: string;
    paths: Record<string, unknown>;
    info: { title: string };
  };
  assert.is(doc.openapi, '3.1.0');
  for (const p of ['/healthz', '/readyz', '/metrics', '/openapi.json']) assert.ok(doc.paths[p], p);
});

inProcess.run();

const processes = suite('system as a process (npm start)');
/** What these processes are about is the embedded defaults: CI's service variables are not theirs. */
const EMBEDDED = {
  CASSANDRA_CONTACT_POINTS: undefined,
  REDIS_URL: undefined,
  KAFKA_BROKERS: undefined,
  POSTGRES_URL: undefined,
  S3_ENDPOINT: undefined,
  SMTP_URL: undefined,
};
let dataDir = '';
processes.before(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'dojo-proc-'));
});
processes.after(() => rmSync(dataDir, { recursive: true, force: true }));

processes('boots with no service configured, then SIGTERM drains and exits 0', async () => {
  const started = Date.now();
  const server = await spawnSystem({ ...EMBEDDED, DATA_DIR: dataDir }, { timeoutMs: 30_000 });
  assert.ok(Date.now() - started < 30_000);
  assert.is((await fetch(`${server.url}/readyz`)).status, 200);
  assert.is(await server.stop('SIGTERM'), 0, server.output());
});

processes('a wrong configuration value stops the boot naming the variable', async () => {
  const child = spawn(process.execPath, ['server/main.ts'], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    env: { ...process.env, PORT: 'eighty', ROLES: 'api,cooking', DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise((r) => child.on('exit', r));
  assert.is(code, 1);
  assert.match(out, /PORT/);
  assert.match(out, /ROLES/);
});

processes('kill -9 right after an acknowledged write and an enqueued job loses neither', async () => {
  const env = { ...EMBEDDED, DATA_DIR: dataDir, ROLES: 'api' };
  const first = await spawnSystem(env, { entry: 'test/fixtures/server-with-probe.ts' });
  const res = await fetch(`${first.url}/test/notes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'n1', body: 'survives' }),
  });
  assert.is(res.status, 201);
  first.child.kill('SIGKILL');
  assert.is(await first.stop(), 'SIGKILL');

  const second = await spawnSystem(
    { ...env, ROLES: 'api,workers' },
    { entry: 'test/fixtures/server-with-probe.ts' },
  );
  try {
    let note: { body: string; jobDone: boolean } | undefined;
    for (let i = 0; i < 100 && !note?.jobDone; i++) {
      const r = await fetch(`${second.url}/test/notes/n1`);
      assert.is(r.status, 200, 'the acknowledged write is there');
      note = (await r.json()) as { body: string; jobDone: boolean };
      if (!note.jobDone) await new Promise((r) => setTimeout(r, 100));
    }
    assert.is(note?.body, 'survives');
    assert.ok(note?.jobDone, 'the enqueued job ran after the restart');
  } finally {
    await second.stop();
  }
});

processes.run();
