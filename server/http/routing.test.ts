import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { z } from 'zod';
import { silentLogger } from '../lib/log.ts';
import { createHttpApp, type HttpAppOptions } from './app.ts';
import { defineEndpoint, reply, type AnyEndpoint } from './endpoint.ts';
import { clientAddress } from './middleware.ts';
import { Metrics } from './metrics.ts';

const s = suite('http: routing, CORS and client addresses (the front door)');

const named = (method: 'get' | 'put' | 'delete', path: string, name: string): AnyEndpoint =>
  defineEndpoint({
    method,
    path,
    summary: name,
    tags: ['test'],
    params: z.record(z.string(), z.string()),
    responses: { 200: { description: 'ok', schema: z.object({ name: z.string(), params: z.unknown() }) } },
    handler: ({ params }) => reply(200, { name, params }),
  });

const whoAmI = defineEndpoint({
  method: 'get',
  path: '/v1/whoami',
  summary: 'the client address the server sees',
  tags: ['test'],
  responses: { 200: { description: 'ok', schema: z.object({ address: z.string() }) } },
  handler: ({ req }) => reply(200, { address: clientAddress(req) }),
});

// The parameter route first: a literal segment must still win over it.
const ENDPOINTS = [
  named('get', '/v1/user/:userId', 'user'),
  named('get', '/v1/user/me', 'me'),
  named('get', '/v1/pocs', 'list'),
  named('get', '/v1/pocs/:id', 'get'),
  named('delete', '/v1/pocs/:id', 'remove'),
  named('put', '/v1/pocs/:id/favorite', 'favorite'),
  whoAmI,
];

const servers: Server[] = [];
async function serve(options: Partial<HttpAppOptions> = {}): Promise<string> {
  const app = createHttpApp({
    logger: silentLogger(),
    metrics: new Metrics(),
    endpoints: ENDPOINTS,
    plainRoutes: [
      {
        method: 'GET',
        path: '/files/*',
        handler: async (_req, res, params) => {
          res.end(`file:${params['*']}`);
        },
      },
    ],
    bodyLimitBytes: 1024,
    strictResponses: true,
    https: false,
    corsOrigins: ['https://app.example'],
    trustProxy: 0,
    ...options,
  });
  const server = createServer(app);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let base = '';
s.before(async () => {
  base = await serve();
});
s.after(async () => {
  await Promise.all(servers.map((srv) => new Promise((r) => srv.close(r))));
});

const body = async (res: Response) => (await res.json()) as { name: string; params: Record<string, string> };

s('static segments win over parameters whatever the declaration order; params decoded', async () => {
  assert.is((await body(await fetch(`${base}/v1/user/me`))).name, 'me');
  assert.is((await body(await fetch(`${base}/v1/user/someone`))).name, 'user');
  assert.equal((await body(await fetch(`${base}/v1/pocs/a%20b`, { method: 'DELETE' }))).params, {
    id: 'a b',
  });
  assert.is((await body(await fetch(`${base}/v1/pocs/x/favorite`, { method: 'PUT' }))).name, 'favorite');
  assert.is((await fetch(`${base}/v1/pocs/x/y`)).status, 404);
});

s(
  'literals case-insensitive, one trailing slash ignored, params keep their case, HEAD served by GET',
  async () => {
    assert.is((await body(await fetch(`${base}/V1/POCS`))).name, 'list');
    assert.is((await body(await fetch(`${base}/v1/pocs/`))).name, 'list');
    assert.is((await body(await fetch(`${base}/v1/pocs/ABC`))).params.id, 'ABC');
    const head = await fetch(`${base}/v1/pocs/1`, { method: 'HEAD' });
    assert.is(head.status, 200);
    assert.is(await head.text(), '');
  },
);

s(
  'a known path with another method is a 405 with Allow; OPTIONS there a 204; unknown paths 404',
  async () => {
    const res = await fetch(`${base}/v1/pocs/x`, { method: 'POST' });
    assert.is(res.status, 405);
    assert.is(res.headers.get('allow'), 'GET, HEAD, DELETE, OPTIONS');
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const options = await fetch(`${base}/v1/pocs/x/favorite`, { method: 'OPTIONS' });
    assert.equal([options.status, options.headers.get('allow')], [204, 'PUT, OPTIONS']);
    assert.is((await fetch(`${base}/v1/nowhere`, { method: 'OPTIONS' })).status, 404);
    assert.is((await fetch(`${base}/v1/nowhere`)).status, 404);
  },
);

s('a malformed percent-encoding is a 400 problem, never a 500', async () => {
  const res = await fetch(`${base}/v1/pocs/%E0%A4%A`);
  assert.is(res.status, 400);
  assert.is(((await res.json()) as { code: string }).code, 'HTTP.VALIDATION');
});

s(
  'a wildcard plain route gets the rest of the path; two routes at one place are refused at boot',
  async () => {
    assert.is(await (await fetch(`${base}/files/a/b%20c.png`)).text(), 'file:a/b c.png');
    const twice = [named('get', '/v1/x/:a', 'one'), named('get', '/v1/x/:b', 'two')];
    assert.throws(() =>
      createHttpApp({
        logger: silentLogger(),
        metrics: new Metrics(),
        endpoints: twice,
        bodyLimitBytes: 1024,
        strictResponses: true,
        https: false,
        corsOrigins: [],
        trustProxy: 0,
      }),
    );
  },
);

s('CORS: an allowed origin gets exactly itself back, a foreign one nothing, never *', async () => {
  const allowed = await fetch(`${base}/v1/pocs`, { headers: { origin: 'https://app.example' } });
  assert.is(allowed.headers.get('access-control-allow-origin'), 'https://app.example');
  assert.is(allowed.headers.get('vary'), 'Origin');
  const foreign = await fetch(`${base}/v1/pocs`, { headers: { origin: 'https://evil.example' } });
  assert.is(foreign.headers.get('access-control-allow-origin'), null);
  assert.is(foreign.headers.get('access-control-allow-credentials'), null);
  const none = await fetch(`${base}/v1/pocs`);
  assert.is(none.headers.get('access-control-allow-origin'), null);
});

s('CORS preflight: granted to an allowed origin with the path methods, not to a foreign one', async () => {
  const preflight = (origin: string) =>
    fetch(`${base}/v1/pocs/x`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'DELETE',
        'access-control-request-headers': 'authorization',
      },
    });
  const ok = await preflight('https://app.example');
  assert.is(ok.status, 204);
  assert.is(ok.headers.get('access-control-allow-origin'), 'https://app.example');
  assert.is(ok.headers.get('access-control-allow-methods'), 'GET, HEAD, DELETE');
  assert.match(ok.headers.get('access-control-allow-headers') ?? '', /Authorization/);
  const refused = await preflight('https://evil.example');
  assert.is(refused.headers.get('access-control-allow-origin'), null);
  assert.is(refused.headers.get('access-control-allow-methods'), null);
  assert.is(refused.status, 204, 'the plain OPTIONS answer, with Allow');
});

const address = async (url: string, xff?: string) => {
  const res = await fetch(`${url}/v1/whoami`, xff ? { headers: { 'x-forwarded-for': xff } } : {});
  return ((await res.json()) as { address: string }).address;
};

s('TRUST_PROXY=0: X-Forwarded-For changes nothing', async () => {
  assert.is(await address(base, '203.0.113.9'), '127.0.0.1');
});

s('TRUST_PROXY=1: the address the proxy saw; what the client claims left of it is ignored', async () => {
  const url = await serve({ trustProxy: 1 });
  assert.is(await address(url), '127.0.0.1', 'no header: the peer');
  assert.is(await address(url, '203.0.113.9'), '203.0.113.9');
  assert.is(await address(url, '6.6.6.6, 203.0.113.9'), '203.0.113.9', 'a spoofed entry is not believed');
  assert.is(await address(url, 'not-an-ip'), '127.0.0.1', 'garbage is not an address');
  const two = await serve({ trustProxy: 2 });
  assert.is(await address(two, '6.6.6.6, 198.51.100.7, 203.0.113.9'), '198.51.100.7');
});

s.run();
