import type { AddressInfo } from 'node:net';
import { createServer, get, type Server } from 'node:http';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { z } from 'zod';
import { AppError } from '../lib/errors.ts';
import { silentLogger } from '../lib/log.ts';
import { createHttpApp } from './app.ts';
import { defineEndpoint, reply } from './endpoint.ts';
import { Metrics } from './metrics.ts';

const echo = defineEndpoint({
  method: 'post',
  path: '/v1/echo/:id',
  summary: 'echo',
  tags: ['test'],
  params: z.object({ id: z.uuid() }),
  body: z.strictObject({ name: z.string().min(1).max(5), tags: z.array(z.string()).max(2).optional() }),
  responses: { 201: { description: 'ok', schema: z.object({ id: z.string(), name: z.string() }) } },
  handler: ({ params, body }) => reply(201, { id: params.id, name: body.name }),
});
const failing = defineEndpoint({
  method: 'get',
  path: '/v1/fail/:kind',
  summary: 'fails',
  tags: ['test'],
  params: z.object({ kind: z.enum(['app', 'driver', 'throttle', 'drift']) }),
  responses: { 200: { description: 'never', schema: z.object({ ok: z.boolean() }) } },
  handler: ({ params }) => {
    if (params.kind === 'app') throw new AppError('POC.NOT_FOUND', 'No such POC', { kind: 'NOT_FOUND' });
    if (params.kind === 'throttle')
      throw new AppError('AUTH.THROTTLED', 'Slow down', { kind: 'THROTTLED', retryAfterSeconds: 7 });
    if (params.kind === 'drift') return reply(200, { ok: 'yes' });
    throw Object.assign(new Error('ECONNREFUSED 10.0.0.1:9042 secret driver detail'), {
      stack: 'at driver.js',
    });
  },
});

const long = 'x'.repeat(3000);
const bytes = Buffer.from(JSON.stringify({ text: long }));
const json = defineEndpoint({
  method: 'get',
  path: '/v1/json/:as',
  summary: 'a long JSON body, as a value or as ready bytes',
  tags: ['test'],
  params: z.object({ as: z.enum(['value', 'bytes']) }),
  responses: { 200: { description: 'ok', schema: z.object({ text: z.string() }) } },
  handler: ({ params }) =>
    params.as === 'bytes' ? { status: 200, json: bytes } : reply(200, { text: long }),
});
const badBytes = defineEndpoint({
  method: 'get',
  path: '/v1/bad-bytes',
  summary: 'ready bytes its schema refuses',
  tags: ['test'],
  responses: { 200: { description: 'never', schema: z.object({ text: z.string() }) } },
  handler: () => ({ status: 200, json: Buffer.from('{"text":1}') }),
});

const s = suite('http app skeleton');
let server: Server;
let base = '';
const metrics = new Metrics();

s.before(async () => {
  const app = createHttpApp({
    logger: silentLogger(),
    metrics,
    endpoints: [echo, failing, json, badBytes],
    bodyLimitBytes: 1024,
    strictResponses: true,
    https: false,
    corsOrigins: ['http://localhost:2567'],
    trustProxy: 0,
  });
  server = createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
s.after(() => new Promise<void>((r) => server.close(() => r())));

const id = '6f1c1f0e-2b8a-4b7e-9d7a-0a1b2c3d4e5f';
const post = (path: string, body: string, type = 'application/json') =>
  fetch(base + path, { method: 'POST', headers: { 'content-type': type }, body });

async function problem(res: Response) {
  assert.is(res.headers.get('content-type')?.split(';')[0], 'application/problem+json');
  return (await res.json()) as { status: number; code: string; detail: string; errors?: { path: string }[] };
}

s('valid request passes validation and gets security headers and a request id', async () => {
  const res = await post(`/v1/echo/${id}`, JSON.stringify({ name: 'abc' }));
  assert.is(res.status, 201);
  assert.equal(await res.json(), { id, name: 'abc' });
  assert.is(res.headers.get('x-content-type-options'), 'nosniff');
  assert.ok(res.headers.get('x-request-id'));
  assert.is(res.headers.get('x-powered-by'), null);
});

s('a well-formed caller request id is kept, a malformed one replaced', async () => {
  const kept = await fetch(`${base}/nowhere`, { headers: { 'x-request-id': 'abc-123' } });
  assert.is(kept.headers.get('x-request-id'), 'abc-123');
  const replaced = await fetch(`${base}/nowhere`, { headers: { 'x-request-id': 'bad id with spaces' } });
  assert.is.not(replaced.headers.get('x-request-id'), 'bad id with spaces');
});

s('validation failures name every field at fault, unknown fields included', async () => {
  const res = await post(`/v1/echo/${id}`, JSON.stringify({ name: 'toolongname', tags: 'x', extra: 1 }));
  assert.is(res.status, 400);
  const p = await problem(res);
  const paths = (p.errors ?? []).map((e) => e.path).sort();
  assert.equal(paths, ['extra', 'name', 'tags']);
  const bad = await post('/v1/echo/not-a-uuid', JSON.stringify({ name: 'a' }));
  assert.equal(
    ((await problem(bad)).errors ?? []).map((e) => e.path),
    ['params.id'],
  );
});

s('a string that is not well-formed Unicode (a lone surrogate) is a 400 naming its field', async () => {
  for (const [body, field] of [
    ['{"name":"a\\ud800"}', 'name'],
    ['{"name":"ok","tags":["x","\\udfff"]}', 'tags.1'],
  ] as const) {
    const res = await post(`/v1/echo/${id}`, body);
    assert.is(res.status, 400, body);
    const problem = (await res.json()) as { errors: { path: string }[] };
    assert.equal(
      problem.errors.map((e) => e.path),
      [field],
    );
  }
  const emoji = await post(`/v1/echo/${id}`, '{"name":"\\ud83d\\ude00"}');
  assert.is(emoji.status, 201, 'a surrogate pair (an emoji) is fine');
});

s('invalid JSON, oversized bodies and foreign content types are 4xx problems', async () => {
  const invalid = await post(`/v1/echo/${id}`, '{"name": ');
  assert.is(invalid.status, 400);
  assert.is((await problem(invalid)).code, 'HTTP.INVALID_JSON');
  const huge = await post(`/v1/echo/${id}`, JSON.stringify({ name: 'x'.repeat(5000) }));
  assert.is(huge.status, 413);
  assert.is((await problem(huge)).code, 'HTTP.BODY_TOO_LARGE');
  const xml = await post(`/v1/echo/${id}`, '<name>x</name>', 'application/xml');
  assert.is(xml.status, 415);
  const empty = await fetch(`${base}/v1/echo/${id}`, { method: 'POST' });
  assert.is(empty.status, 400);
});

s('a method no route serves at a known path is a 405 with Allow; OPTIONS there is a 204', async () => {
  const wrong = await fetch(`${base}/v1/echo/${id}`, { method: 'DELETE' });
  assert.is(wrong.status, 405);
  assert.is(wrong.headers.get('allow'), 'POST, OPTIONS');
  assert.is((await problem(wrong)).code, 'HTTP.METHOD_NOT_ALLOWED');
  const options = await fetch(`${base}/v1/fail/app`, { method: 'OPTIONS' });
  assert.is(options.status, 204);
  assert.is(options.headers.get('allow'), 'GET, HEAD, OPTIONS');
  assert.ok(options.headers.get('x-request-id'));
});

s('unknown routes are 404 problems', async () => {
  const res = await fetch(`${base}/v1/nothing-here`);
  assert.is(res.status, 404);
  assert.is((await problem(res)).code, 'HTTP.ROUTE_NOT_FOUND');
});

s('AppErrors map to their status; unexpected errors never leak details', async () => {
  const nf = await fetch(`${base}/v1/fail/app`);
  assert.is(nf.status, 404);
  assert.is((await problem(nf)).code, 'POC.NOT_FOUND');
  const th = await fetch(`${base}/v1/fail/throttle`);
  assert.is(th.status, 429);
  assert.is(th.headers.get('retry-after'), '7');
  const boom = await fetch(`${base}/v1/fail/driver`);
  assert.is(boom.status, 500);
  const text = await boom.text();
  assert.not.match(text, /ECONNREFUSED|secret|10\.0\.0\.1|driver\.js/);
});

s('a reply its own schema refuses fails loudly under strictResponses', async () => {
  const res = await fetch(`${base}/v1/fail/drift`);
  assert.is(res.status, 500);
});

s(
  'JSON replies, as values or ready bytes: the body on GET, none on HEAD, 304 for If-None-Match: *',
  async () => {
    for (const as of ['value', 'bytes']) {
      const got = await fetch(`${base}/v1/json/${as}`);
      assert.is(got.status, 200);
      assert.is(got.headers.get('content-type'), 'application/json; charset=utf-8');
      assert.is(got.headers.get('content-length'), String(bytes.length));
      assert.equal(await got.json(), { text: long });
      const head = await fetch(`${base}/v1/json/${as}`, { method: 'HEAD' });
      assert.is(head.status, 200);
      assert.is(head.headers.get('content-length'), String(bytes.length));
      assert.is(await head.text(), '');
      // fetch adds Cache-Control: no-cache to conditional requests, which makes Express ignore them.
      const conditional = await new Promise<number | undefined>((resolve, reject) =>
        get(`${base}/v1/json/${as}`, { headers: { 'if-none-match': '*' } }, (res) => {
          res.resume();
          resolve(res.statusCode);
        }).on('error', reject),
      );
      assert.is(conditional, 304, 'as Express answers a conditional GET');
    }
    assert.is((await fetch(`${base}/v1/bad-bytes`)).status, 500, 'ready bytes are checked like values');
  },
);

s('metrics count requests by route template, not raw path', async () => {
  const text = await metrics.registry.metrics();
  assert.match(text, /dojo_http_requests_total\{method="POST",route="\/v1\/echo\/:id",status="201"\} \d+/);
  assert.not.match(text, new RegExp(id));
});

s.run();
