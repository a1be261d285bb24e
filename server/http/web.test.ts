import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { silentLogger } from '../lib/log.ts';
import { createHttpApp } from './app.ts';
import { opsEndpoints } from './ops.ts';
import { Metrics } from './metrics.ts';
import { APP_CSP, webApp } from './web.ts';

const s = suite('http: the web app at / (static files, SPA fallback, caching)');
const INDEX =
  '<!doctype html><div id="app"></div><script type="module" src="/assets/index-abc123.js"></script>';
const BUNDLE = `console.log(${JSON.stringify('dojo '.repeat(2000))});`;
let dist = '';
let server: Server;
let bare: Server;
let url = '';
let bareUrl = '';

/** The body as sent, without fetch's decoding. */
const rawGet = (target: string, headers: Record<string, string>) =>
  new Promise<Buffer>((resolve, reject) => {
    get(target, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks)));
    }).once('error', reject);
  });

const listen = async (distDir: string): Promise<[Server, string]> => {
  const metrics = new Metrics();
  const app = createHttpApp({
    logger: silentLogger(),
    metrics,
    endpoints: opsEndpoints({
      checks: [],
      metrics,
      openapi: () => ({}),
      isShuttingDown: () => false,
      metricsAccess: 'loopback',
    }),
    bodyLimitBytes: 1024,
    strictResponses: true,
    https: false,
    corsOrigins: [],
    trustProxy: 0,
    fallback: webApp({ distDir }),
  });
  const srv = createServer(app);
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return [srv, `http://127.0.0.1:${(srv.address() as AddressInfo).port}`];
};

s.before(async () => {
  dist = mkdtempSync(path.join(tmpdir(), 'dojo-web-dist-'));
  mkdirSync(path.join(dist, 'assets'));
  writeFileSync(path.join(dist, 'index.html'), INDEX);
  writeFileSync(path.join(dist, 'assets', 'index-abc123.js'), BUNDLE);
  writeFileSync(path.join(dist, 'robots.txt'), 'User-agent: *\n');
  [server, url] = await listen(dist);
  [bare, bareUrl] = await listen(path.join(dist, 'missing'));
});
s.after(async () => {
  await new Promise((r) => server?.close(r));
  await new Promise((r) => bare?.close(r));
  rmSync(dist, { recursive: true, force: true });
});

s('/ and the app’s routes get index.html, revalidated every time, with the app’s CSP', async () => {
  for (const p of ['/', '/pocs', '/dojos/0b8f/live', '/confirm?token=abc', '/signup?invitation=x']) {
    const res = await fetch(url + p);
    assert.is(res.status, 200, p);
    assert.is(await res.text(), INDEX, p);
    assert.is(res.headers.get('cache-control'), 'no-cache', p);
    assert.is(res.headers.get('content-security-policy'), APP_CSP, p);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/, p);
  }
});

s('hashed assets are immutable, gzipped when accepted, and revalidate to 304', async () => {
  const res = await fetch(`${url}/assets/index-abc123.js`, { headers: { 'accept-encoding': 'gzip' } });
  assert.is(res.status, 200);
  assert.is(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.match(res.headers.get('content-type') ?? '', /^text\/javascript/);
  assert.is(res.headers.get('content-encoding'), 'gzip'); // fetch decodes it for us
  assert.is(await res.text(), BUNDLE);
  const raw = await fetch(`${url}/assets/index-abc123.js`, { headers: { 'accept-encoding': 'identity' } });
  assert.is(raw.headers.get('content-encoding'), null);
  assert.is(Number(raw.headers.get('content-length')), Buffer.byteLength(BUNDLE));
  const gz = await rawGet(`${url}/assets/index-abc123.js`, { 'accept-encoding': 'gzip, br' });
  assert.ok(gz.length < Buffer.byteLength(BUNDLE) / 10, `compressed to ${gz.length} B`);
  assert.is(gunzipSync(gz).toString(), BUNDLE);
  const etag = res.headers.get('etag')!;
  const again = await fetch(`${url}/assets/index-abc123.js`, { headers: { 'if-none-match': etag } });
  assert.is(again.status, 304);
  const robots = await fetch(`${url}/robots.txt`);
  assert.is(robots.headers.get('cache-control'), 'no-cache');
});

s('a missing file is a 404, not the app’s page; traversal never leaves the build', async () => {
  for (const p of ['/assets/gone-123.js', '/favicon.ico', '/%2e%2e/%2e%2e/etc/passwd.txt']) {
    const res = await fetch(url + p);
    assert.is(res.status, 404, p);
    assert.not.match(await res.text(), /id="app"/, p);
  }
  const sneaky = await fetch(`${url}/..%2f..%2fetc%2fhostname`);
  assert.not.match(await sneaky.text(), /^[a-z0-9-]+\n$/);
});

s('the server’s own paths keep the API’s problem+json 404; other methods are not served', async () => {
  for (const p of [
    '/v1/nothing',
    '/socket.io/?transport=polling',
    '/files/x',
    '/.well-known/x',
    '/matchmake',
    '/healthz/x',
  ]) {
    const res = await fetch(url + p);
    assert.is(res.status, 404, p);
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/, p);
  }
  assert.is((await fetch(`${url}/healthz`)).status, 200, 'routes still answer first');
  const post = await fetch(`${url}/pocs`, { method: 'POST' });
  assert.is(post.status, 404);
  assert.match(post.headers.get('content-type') ?? '', /^application\/problem\+json/);
  const head = await fetch(`${url}/pocs`, { method: 'HEAD' });
  assert.is(head.status, 200);
});

s('without a build, / says how to make one', async () => {
  const res = await fetch(`${bareUrl}/`);
  assert.is(res.status, 404);
  assert.match(await res.text(), /npm run build:web/);
  assert.is(
    (await fetch(`${bareUrl}/v1/x`)).headers.get('content-type')?.startsWith('application/problem+json'),
    true,
  );
});

s.run();
