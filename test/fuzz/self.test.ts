/**
 * The fuzz suite checks itself, without a server: its judges flag each kind of failure and pass correct
 * answers (no false alarms), and its generators produce every family of input they claim, deterministically,
 * as requests Node can send.
 */
import { validateHeaderName, validateHeaderValue } from 'node:http';
import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { caseArb } from './cases.ts';
import { generalChecks } from './checks.ts';
import { judge as judgeAnswer, namedRefs, type NamedRef } from './judge.ts';
import { Ref } from './model.ts';
import { materialize, type Sent } from './request.ts';
import type { Operation } from './schema.ts';
import { pctEncode } from './strings.ts';
import type { Variant } from './variants.ts';
import type { WireResult } from './wire.ts';
import type { World } from './world.ts';

const test = suite('fuzz: the suite itself');

const op = (key: string, extra: Partial<Operation> = {}): Operation => {
  const [method = 'GET', path = '/'] = key.split(' ');
  return {
    key,
    method,
    path,
    auth: true,
    pathParams: [],
    queryParams: [],
    body: undefined,
    responses: {},
    ...extra,
  };
};

const answer = (
  status: number,
  contentType: string,
  text: string,
  headers: Record<string, string> = {},
): WireResult => ({
  ok: true,
  ms: 0,
  response: { status, headers: { 'content-type': contentType, ...headers }, body: Buffer.from(text), text },
});

const problem = (status: number, extra: Record<string, unknown> = {}) =>
  answer(
    status,
    'application/problem+json; charset=utf-8',
    JSON.stringify({ type: 'https://x/p', title: 'T', status, detail: 'D', code: 'X.Y', ...extra }),
  );

const reasons = (list: { reason: string }[]) => list.map((f) => f.reason);

test('general checks: 5xx, non-problem 4xx, incomplete problems, leaks; correct answers pass', () => {
  const o = op('GET /v1/things');
  assert.equal(reasons(generalChecks(o, problem(400), '')), []);
  assert.equal(reasons(generalChecks(o, answer(200, 'application/json', '{"a":1}'), '')), []);
  assert.equal(reasons(generalChecks(o, answer(204, '', ''), '')), []);
  assert.ok(reasons(generalChecks(o, problem(500), ''))[0]?.startsWith('500'));
  assert.ok(reasons(generalChecks(o, problem(503), ''))[0]?.startsWith('503'));
  assert.ok(
    reasons(generalChecks(o, answer(400, 'text/plain', 'bad'), ''))[0]?.includes(
      'not application/problem+json',
    ),
  );
  assert.ok(reasons(generalChecks(o, answer(431, '', ''), ''))[0]?.includes('no Content-Type'));
  const noDetail = answer(
    404,
    'application/problem+json',
    JSON.stringify({ type: 't', title: 't', status: 404 }),
  );
  assert.equal(reasons(generalChecks(o, noDetail, '')), ['problem without detail']);
  assert.equal(reasons(generalChecks(o, problem(409, { status: 400 }), '')), [
    'problem status differs from HTTP status',
  ]);
  assert.equal(reasons(generalChecks(o, problem(429), '')), ['429 without Retry-After']);
  assert.equal(reasons(generalChecks(o, problem(405), '')), ['405 without Allow']);
  assert.equal(
    reasons(
      generalChecks(
        o,
        answer(429, 'application/problem+json', JSON.parse(JSON.stringify(problem(429))).response.text, {
          'retry-after': '3',
        }),
        '',
      ),
    ),
    [],
  );
  const stack = answer(
    200,
    'application/json',
    '{"e":"TypeError: x\\n    at Object.<anonymous> (/srv/a.ts:1:2)"}',
  );
  const found = reasons(generalChecks(o, stack, ''));
  for (const r of [
    'stack trace in body ("at Object.")',
    'source location in body (".ts:")',
    'engine error in body ("TypeError")',
  ])
    assert.ok(found.includes(r), `${r} in ${found.join('; ')}`);
  for (const driver of ['SQLITE_CONSTRAINT', 'ResponseError: cassandra', 'ioredis', 'KafkaJS'])
    assert.ok(generalChecks(o, problem(400, { detail: driver }), '').length > 0, driver);
  // An echo of the request is not a leak.
  assert.equal(
    reasons(generalChecks(o, problem(404, { detail: 'No route for GET /x.ts:1' }), 'GET /x.ts:1')),
    [],
  );
  assert.equal(reasons(generalChecks(o, { ok: false, error: 'ECONNRESET', ms: 1 }, '')), ['no HTTP answer']);
});

test('general checks: a documented non-problem error body (OAuth) is accepted, an undocumented one is not', () => {
  const oauth = op('POST /v1/oauth/token', { responses: { '400': { contentTypes: ['application/json'] } } });
  const rfc6749 = answer(400, 'application/json', '{"error":"invalid_request","error_description":"x"}');
  assert.equal(reasons(generalChecks(oauth, rfc6749, '')), []);
  assert.ok(generalChecks(op('POST /v1/other'), rfc6749, '').length > 0);
});

const world = {
  markersA: new Set(['fzpocSECRETA', 'aaaaaaaa-0000-4000-8000-000000000001']),
  markersB: new Set(['fzpocSECRETB']),
  tenantAndUserIds: new Set(['aaaaaaaa-0000-4000-8000-000000000001']),
  resolve: (ref: Ref, ctx: { mode: string }) =>
    ctx.mode === 'twin' ? `twin-${ref.kind}` : `A-${ref.kind}-${ref.pick}`,
} as unknown as World;
const variant = (mode: Variant['mode']): Variant => ({
  mode,
  label: mode,
  authorization: undefined,
  caller: undefined,
});
const sent = (text = ''): Sent => ({
  wire: { method: 'GET', path: '/', headers: {} },
  value: undefined,
  text,
});
const judge = (o: Operation, mode: Variant['mode'], result: WireResult, refs: NamedRef[] = [], text = '') =>
  reasons(judgeAnswer(world, o, variant(mode), sent(text), result, refs));
const ok = (body: unknown) => answer(200, 'application/json', JSON.stringify(body));

test("cross-tenant rules: 2xx naming A's resource fails unless the operation says why not", () => {
  const poc = [{ name: 'id', ref: new Ref('pocId', 0) }];
  const strict = judge(op('GET /v1/pocs/{id}'), 'cross', ok({ id: 'x' }), poc);
  assert.ok(
    strict.some((r) => r.startsWith('cross-tenant success')),
    strict.join('; '),
  );
  assert.equal(judge(op('GET /v1/pocs/{id}'), 'cross', problem(404), poc), []);
  assert.equal(
    judge(op('GET /v1/pocs/{id}'), 'cross', ok({ id: 'x' }), []),
    [],
    'no A id named: nothing to judge',
  );
  assert.equal(
    judge(op('POST /v1/oauth/token', { auth: false }), 'cross', ok({}), [
      { name: 'refresh_token', ref: new Ref('refreshToken', 0) },
    ]),
    [],
  );
  const msgs = [{ name: 'messageIds', ref: new Ref('messageId', 0) }];
  assert.equal(judge(op('POST /v1/user/messages'), 'cross', ok({ success: true, removed: 0 }), msgs), []);
  assert.ok(
    judge(op('POST /v1/user/messages'), 'cross', ok({ success: true, removed: 1 }), msgs)[0]?.startsWith(
      'cross-tenant success',
    ),
  );
  assert.equal(
    judge(op('GET /v1/user/messages'), 'cross', ok({ messages: [] }), [
      { name: 'userId', ref: new Ref('userId', 0) },
    ]),
    [],
  );
  assert.ok(
    judge(op('GET /v1/user/messages'), 'cross', ok({ messages: [] }), [
      { name: 'roomId', ref: new Ref('dojoId', 0) },
    ])[0]?.startsWith('cross-tenant success'),
  );
  // Capability refs (a refresh token) do not count as naming A's resources for the strict rule.
  assert.equal(
    judge(op('POST /v1/x'), 'cross', ok({}), [{ name: 't', ref: new Ref('refreshToken', 0) }]),
    [],
  );
});

test('leaks: tenant data across tenants and to callers without a token; ids in /metrics', () => {
  const leak = problem(404, { detail: 'poc fzpocSECRETA is not yours' });
  assert.equal(judge(op('GET /v1/pocs/{id}'), 'cross', leak), ["tenant A's data in an answer to tenant B"]);
  assert.equal(
    judge(op('GET /v1/pocs/{id}'), 'cross', leak, [], 'GET /v1/pocs/fzpocSECRETA'),
    [],
    'echo of the request',
  );
  assert.equal(judge(op('GET /v1/pocs/{id}'), 'none', leak), [
    'tenant data in an answer without a valid token',
  ]);
  assert.equal(
    judge(op('POST /v1/login', { auth: false }), 'none', ok({ userId: 'fzpocSECRETA' })),
    [],
    'login answers ids',
  );
  assert.equal(judge(op('GET /v1/pocs'), 'right', ok({ pocs: ['fzpocSECRETB'] })), [
    "tenant B's data in an answer to tenant A",
  ]);
  assert.equal(judge(op('GET /v1/pocs'), 'garbage', ok({})), ['success without a valid token']);
  assert.equal(judge(op('GET /healthz', { auth: false }), 'none', ok({ status: 'ok' })), []);
  const metrics = answer(200, 'text/plain', 'x{tenant="aaaaaaaa-0000-4000-8000-000000000001"} 1');
  assert.ok(
    judge(op('GET /metrics', { auth: false }), 'right', metrics).includes('tenant or user id in /metrics'),
  );
});

const sample: Operation = {
  key: 'PATCH /v1/things/{id}',
  method: 'PATCH',
  path: '/v1/things/{id}',
  auth: true,
  pathParams: [{ name: 'id', required: true, schema: { type: 'string', format: 'uuid' } }],
  queryParams: [
    { name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 50 } },
    {
      name: 'tag',
      required: false,
      schema: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 30 } },
    },
    { name: 'roomId', required: true, schema: { type: 'string', format: 'uuid' } },
  ],
  body: {
    contentTypes: ['application/json'],
    schema: {
      type: 'object',
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[^\\p{Cc}\\p{Cf}]*$' },
        username: { type: 'string', minLength: 3, maxLength: 15, pattern: '^[a-z0-9_.-]+$' },
        status: { type: 'string', enum: ['ONLINE', 'OFFLINE'] },
        members: { type: 'array', maxItems: 50, items: { type: 'string', format: 'uuid' } },
        when: {
          anyOf: [
            { type: 'string', format: 'date-time' },
            { type: 'string', format: 'date' },
          ],
        },
        favorite: { type: 'boolean' },
      },
      required: ['name', 'status'],
      additionalProperties: false,
    },
  },
  responses: {},
};

test('generators: every family of input, deterministic per seed, sendable by Node', () => {
  const cases = fc.sample(caseArb(sample), { numRuns: 700, seed: 42 });
  const again = fc.sample(caseArb(sample), { numRuns: 700, seed: 42 });
  assert.equal(JSON.stringify(again), JSON.stringify(cases), 'the same seed gives the same cases');
  const labels = new Set(cases.flatMap((c) => c.label.split('+').map((l) => l.replace(/\(.*$/, ''))));
  for (const family of [
    'valid',
    'body:wrong-type',
    'body:missing-required',
    'body:extra-field',
    'body:huge-string',
    'body:odd-string',
    'body:odd-key',
    'body:deep',
    'body:invalid-json',
    'body:not-an-object',
    'body:content-type',
    'body:missing',
    'body:invalid-utf8',
    'body:twisted-id',
    'query:wrong-type',
    'query:missing-required',
    'query:duplicated',
    'query:odd',
    'query:raw',
    'path:bad-id',
    'path:unknown-uuid',
    'path:other-id',
    'header:x-request-id',
  ]) {
    assert.ok(labels.has(family), `no ${family} among ${[...labels].join(', ')}`);
  }
  const modes: Variant['mode'][] = ['none', 'right', 'garbage', 'cross', 'twin'];
  let huge = 0;
  let deep = 0;
  let surrogate = 0;
  for (const c of cases) {
    if (c.label === 'valid' && c.body.kind === 'json') {
      const v = c.body.value as Record<string, unknown>;
      assert.ok('name' in v && 'status' in v, 'valid bodies have the required fields');
      assert.ok(
        Object.keys(v).every((k) => k in (sample.body?.schema.properties as object)),
        'and no others',
      );
    }
    for (const mode of modes) {
      const { wire } = materialize(world, sample, c, { ...variant(mode), authorization: 'Bearer x' });
      assert.ok(/^[\x21-\x7e]+$/.test(wire.path), `path Node can send: ${wire.path.slice(0, 80)}`);
      for (const [k, v] of Object.entries(wire.headers)) {
        validateHeaderName(k);
        validateHeaderValue(k, v as string);
      }
      if ((wire.body?.length ?? 0) >= 100_000) huge++;
      if (wire.body?.includes('['.repeat(10_000)) || wire.body?.includes('{"a":'.repeat(10_000))) deep++;
      if (wire.path.includes('%ED%A0%80') || wire.body?.toString('utf8').includes('\\ud800')) surrogate++;
    }
  }
  assert.ok(
    huge > 0 && deep > 0 && surrogate > 0,
    `huge ${huge}, deep ${deep}, lone surrogates ${surrogate}`,
  );
  const named = cases.flatMap((c) => namedRefs(c)).map((r) => `${r.name}:${r.ref.kind}`);
  for (const n of ['id:pocId', 'roomId:dojoId', 'members:userId', 'username:username'])
    assert.ok(named.includes(n), `cases name ${n}`);
});

test('pctEncode: lone surrogates become their WTF-8 bytes instead of throwing', () => {
  assert.is(pctEncode('a b/\uD800😀'), 'a%20b%2F%ED%A0%80%F0%9F%98%80');
  assert.is(pctEncode("-_.!~*'()"), "-_.!~*'()");
});

test.run();
