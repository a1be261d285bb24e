/**
 * Request cases of one operation: valid ones derived from its schemas, then mutations of them (wrong types,
 * missing and extra fields, huge and odd strings, deep nesting, invalid JSON, wrong content types, bad path
 * ids, duplicated and odd query parameters, odd headers).
 */
import fc from 'fast-check';
import {
  Ref,
  type Body,
  type Case,
  type GarbageToken,
  type Part,
  type Query,
  type Tpl,
  type Twist,
} from './model.ts';
import { typeOf, uuidArb, valueArb, type Operation, type ParamSpec } from './schema.ts';
import { hugeString, makeHuge, oddString, pctEncode } from './strings.ts';

const GARBAGE: readonly GarbageToken[] = [
  'word',
  'random',
  'alg-none',
  'tampered-tenant',
  'bad-signature',
  'foreign-signature',
  'basic',
  'huge',
  'empty',
  'refresh-as-access',
  'hs256-confusion',
  'four-part-jwt',
];

type Obj = { readonly [key: string]: Tpl };
const isObj = (t: Tpl | undefined): t is Obj =>
  t !== null && typeof t === 'object' && !Array.isArray(t) && !(t instanceof Ref);

/** Values of every JSON type, to put where another type is expected. */
const WRONG_VALUES: readonly Tpl[] = [
  0,
  -1,
  1.5,
  1e308,
  true,
  false,
  null,
  '',
  'x',
  '1',
  'true',
  'null',
  [],
  [1, 'a'],
  {},
  { a: 1 },
  [[[]]],
];

const jsonType = (t: Tpl | undefined): string =>
  t === null ? 'null' : Array.isArray(t) ? 'array' : t instanceof Ref ? 'string' : typeof t;

const EXTRA_KEYS = [
  'extra',
  'isAdmin',
  'role',
  'tenantId',
  'userId',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '',
  ' ',
  '\u0000',
  '\uD800',
  '😀',
  'a.b',
  '$where',
  'k'.repeat(1000),
];

/** Texts that are not JSON, or JSON the body parser should refuse. */
const INVALID_JSON = [
  '',
  ' ',
  '{',
  '}',
  '{"a":',
  '{"a":1}{"b":2}',
  "{'a':1}",
  '{a:1}',
  '{"a":NaN}',
  '{"a":Infinity}',
  '{"a":undefined}',
  '[1,]',
  '{"a":1,}',
  'nul',
  'tru',
  '\u0000',
  '{"a":"\\x"}',
  '{"a":"\\uZZZZ"}',
  '{"a":"\u0001"}',
  '//x\n{}',
  '{"a":1}//',
  '0123',
  '-',
  '{"a":1e999}',
  '['.repeat(10_000),
  '{"a":'.repeat(10_000),
];

/** JSON texts that parse but are not the object a body must be. */
const NOT_OBJECT = [
  '[]',
  '[{}]',
  '"x"',
  '1',
  '-1.5',
  'null',
  'true',
  'false',
  '[null]',
  '"\\ud800"',
  '{"__proto__":{"isAdmin":true,"role":"owner"}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
];

const WRONG_CONTENT_TYPES: readonly (string | null)[] = [
  null,
  'text/plain',
  'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=fuzzboundary',
  'application/xml',
  'application/octet-stream',
  'APPLICATION/JSON',
  'application/json; charset=utf-16',
  'application/json; charset=iso-8859-1',
  'application/json; charset=fuzz',
  'application/vnd.api+json',
  'application/merge-patch+json',
  'application/json, text/plain',
  'application/json;',
  ';',
  'application/',
  '*/*',
  'json',
  'text/json',
  'application/jsonp',
  'application/json\t',
];

const CONTENT_ENCODINGS = ['gzip', 'deflate', 'br', 'x-fuzz', 'identity', 'gzip, gzip', 'GZIP'];

/** Bad values for a path id, sent raw on the request line. */
const BAD_IDS = [
  'not-a-uuid',
  '%ZZ',
  '%',
  '%00',
  '%2e%2e',
  '..',
  '.',
  '%2F',
  'a%2Fb',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '%ED%A0%80',
  '%C0%AF',
  '%F0%9F%98%80',
  '%E2%80%AE',
  ';',
  ';jsessionid=1',
  '*',
  '~',
  '123',
  '-1',
  '1e3',
  'null',
  'undefined',
  '%20',
  '+',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '00000000-0000-0000-0000-00000000000g',
  '0000000000000000000000000000000',
  `%27%20OR%20%271%27%3D%271`,
  'x'.repeat(5000),
  `${'0'.repeat(8)}-${'0'.repeat(4)}-4${'0'.repeat(3)}-8${'0'.repeat(3)}-${'0'.repeat(12)}${'0'.repeat(3000)}`,
];

/** Whole query strings that are odd on their own. */
const RAW_QUERIES = [
  '',
  '&&&',
  '=',
  '==',
  'a',
  '%',
  '%ZZ=%ZZ',
  '%00=%00',
  '%ED%A0%80=%ED%A0%80',
  '+=+',
  'a[]=1',
  'a[0]=1&a[1]=2',
  '__proto__=1',
  '__proto__[x]=1',
  'constructor=1',
  'toString=1',
  'hasOwnProperty=1',
  '?',
  '#frag',
  'x=1;y=2',
];

/** Query values of the wrong type or shape. */
const WRONG_QUERY_VALUES = [
  'abc',
  '-1',
  '0',
  '1.5',
  '1e3',
  '99999999999999999999',
  '',
  'true',
  '[]',
  '{}',
  'null',
  'NaN',
  'Infinity',
  '0x10',
  ' 1',
  '1 ',
  '０',
];

const TWISTS: readonly Twist[] = ['upper', 'braces', 'suffix', 'prefix', 'space'];

type PathKey = readonly (string | number)[];

/** Paths to every value in a JSON template, three levels deep at most. */
function pathsOf(t: Tpl, depth = 0, prefix: PathKey = []): PathKey[] {
  if (depth > 3) return [];
  if (Array.isArray(t)) {
    return t.flatMap((v: Tpl, i: number) => [[...prefix, i], ...pathsOf(v, depth + 1, [...prefix, i])]);
  }
  if (isObj(t)) {
    return Object.entries(t).flatMap(([k, v]) => [[...prefix, k], ...pathsOf(v, depth + 1, [...prefix, k])]);
  }
  return [];
}

function getAt(t: Tpl, path: PathKey): Tpl | undefined {
  let cur: Tpl | undefined = t;
  for (const k of path) {
    if (Array.isArray(cur)) cur = (cur as Tpl[])[k as number];
    else if (isObj(cur)) cur = cur[k as string];
    else return undefined;
  }
  return cur;
}

function setAt(t: Tpl, path: PathKey, value: Tpl | undefined): Tpl {
  if (path.length === 0) return value === undefined ? null : value;
  const [head, ...rest] = path;
  if (Array.isArray(t)) {
    const copy = [...(t as Tpl[])];
    if (value === undefined && rest.length === 0) copy.splice(head as number, 1);
    else copy[head as number] = setAt(copy[head as number] ?? null, rest, value);
    return copy;
  }
  if (isObj(t)) {
    const copy: Record<string, Tpl> = {};
    for (const [k, v] of Object.entries(t)) if (k !== head) put(copy, k, v);
    if (value !== undefined || rest.length > 0)
      put(copy, head as string, setAt(t[head as string] ?? null, rest, value));
    return copy;
  }
  return t;
}

/** Sets an own property, `__proto__` included. */
const put = (o: Record<string, Tpl>, key: string, value: Tpl) =>
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });

const withKey = (t: Tpl, key: string, value: Tpl): Tpl => {
  const base: Record<string, Tpl> = {};
  if (isObj(t)) for (const [k, v] of Object.entries(t)) put(base, k, v);
  return put(base, key, value);
};

const pathLabel = (p: PathKey) => p.join('.') || '(root)';

/** The valid query of the operation, as entries (repeated keys for array parameters). */
function queryArb(params: readonly ParamSpec[]): fc.Arbitrary<[string, Part][]> {
  if (params.length === 0) return fc.constant([]);
  const perParam = params.map((p) => {
    const value = valueArb(p.schema, { name: p.name });
    const entries = value.map((v): [string, Part][] =>
      Array.isArray(v) ? (v as Tpl[]).map((x) => [p.name, { tpl: x }]) : [[p.name, { tpl: v }]],
    );
    return p.required ? entries : fc.oneof(fc.constant([] as [string, Part][]), entries);
  });
  return fc.tuple(...perParam).map((lists) => lists.flat());
}

function validCaseArb(op: Operation): fc.Arbitrary<Case> {
  const params: Record<string, fc.Arbitrary<Part>> = {};
  for (const p of op.pathParams)
    params[p.name] = valueArb(p.schema, { name: p.name }).map((tpl) => ({ tpl }));
  const formToo = op.body?.contentTypes.includes('application/x-www-form-urlencoded') ?? false;
  const body: fc.Arbitrary<Body> = op.body
    ? fc
        .record({
          value: valueArb(op.body.schema, { name: '' }),
          form: formToo ? fc.boolean() : fc.constant(false),
        })
        .map(({ value, form }) =>
          form
            ? {
                kind: 'json',
                value,
                contentType: 'application/x-www-form-urlencoded',
                transform: { t: 'form' },
              }
            : { kind: 'json', value, contentType: 'application/json' },
        )
    : fc.constant({ kind: 'none' });
  return fc
    .record({
      actor: fc.constantFrom('ownerA' as const, 'memberA' as const),
      garbage: fc.constantFrom(...GARBAGE),
      params: fc.record(params),
      query: queryArb(op.queryParams),
      body,
    })
    .map(({ actor, garbage, params, query, body }) => ({
      label: 'valid',
      actor,
      garbage,
      params,
      query: { entries: query },
      body,
      headers: {},
    }));
}

type Mutation = (c: Case) => fc.Arbitrary<Case>;

const relabel = (c: Case, label: string, change: Partial<Case>): Case => ({ ...c, ...change, label });

function bodyMutations(op: Operation): Mutation[] {
  if (!op.body) {
    // No body is documented: send one anyway.
    return [
      (c) =>
        fc
          .oneof(
            fc.constant<Body>({ kind: 'json', value: { x: 1 }, contentType: 'application/json' }),
            fc
              .constantFrom(...INVALID_JSON, ...NOT_OBJECT)
              .map((text): Body => ({ kind: 'raw', text, contentType: 'application/json' })),
            oddString.map((text): Body => ({ kind: 'raw', text, contentType: 'text/plain' })),
            fc.constant<Body>({
              kind: 'raw',
              text: makeHuge('ascii', 150_000),
              contentType: 'application/json',
            }),
          )
          .map((body) => relabel(c, 'body:unexpected', { body })),
    ];
  }
  const schema = op.body.schema;
  const required = (schema.required ?? []) as string[];
  const props = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  const valueOf = (c: Case): Tpl => (c.body.kind === 'json' ? c.body.value : {});
  const json = (c: Case, value: Tpl, extra: Partial<Extract<Body, { kind: 'json' }>> = {}): Body => ({
    kind: 'json',
    value,
    contentType: 'application/json',
    ...extra,
  });
  const stringPaths = (v: Tpl) =>
    pathsOf(v).filter((p) => {
      const x = getAt(v, p);
      return typeof x === 'string' || x instanceof Ref;
    });
  const somePath = (v: Tpl, only?: (p: PathKey) => boolean): fc.Arbitrary<PathKey> => {
    const all = pathsOf(v).filter((p) => !only || only(p));
    const topKeys = Object.keys(props);
    const fallback = topKeys.length ? topKeys.map((k) => [k]) : [['field']];
    return fc.constantFrom(...(all.length ? all : fallback));
  };
  const mutations: Mutation[] = [
    // A value of another JSON type, anywhere in the body.
    (c) =>
      somePath(valueOf(c)).chain((path) => {
        const current = getAt(valueOf(c), path);
        const declared = path.length === 1 ? typeOf(props[path[0] as string]) : jsonType(current);
        const others = WRONG_VALUES.filter(
          (w) =>
            jsonType(w) !== jsonType(current) &&
            jsonType(w) !== (declared === 'integer' ? 'number' : declared),
        );
        return fc
          .constantFrom(...(others.length ? others : WRONG_VALUES))
          .map((w) =>
            relabel(c, `body:wrong-type(${pathLabel(path)})`, { body: json(c, setAt(valueOf(c), path, w)) }),
          );
      }),
    // A field that is not in the schema.
    (c) =>
      fc
        .tuple(fc.constantFrom(...EXTRA_KEYS), fc.constantFrom<Tpl>(1, 'x', true, null, { a: 1 }, [1]))
        .map(([k, v]) =>
          relabel(c, `body:extra-field(${JSON.stringify(k).slice(0, 20)})`, {
            body: json(c, withKey(valueOf(c), k, v)),
          }),
        ),
    // A string of 100 KB or more (1.1 MB goes past the body limit).
    (c) =>
      fc
        .tuple(
          somePath(valueOf(c), (p) => stringPaths(valueOf(c)).some((q) => pathLabel(q) === pathLabel(p))),
          hugeString,
        )
        .map(([path, huge]) =>
          relabel(c, `body:huge-string(${pathLabel(path)},${huge.kind},${huge.size})`, {
            body: json(c, setAt(valueOf(c), path, huge.value)),
          }),
        ),
    // An odd string (NUL, lone surrogates, bidi, percent, traversal, SQL/CQL) in a field or as a key.
    (c) =>
      fc.tuple(somePath(valueOf(c)), oddString, fc.boolean()).map(([path, odd, asKey]) =>
        asKey
          ? relabel(c, 'body:odd-key', { body: json(c, withKey(valueOf(c), odd, 'x')) })
          : relabel(c, `body:odd-string(${pathLabel(path)})`, {
              body: json(c, setAt(valueOf(c), path, odd)),
            }),
      ),
    // Deeply nested JSON in a field.
    (c) =>
      fc
        .record({
          key: fc.constantFrom(...(Object.keys(props).length ? Object.keys(props) : ['x']), 'deep'),
          depth: fc.constantFrom(10_000, 10_000, 10_000, 100_000),
          style: fc.constantFrom('array' as const, 'object' as const),
        })
        .map(({ key, depth, style }) =>
          relabel(c, `body:deep(${depth},${style})`, {
            body: json(c, valueOf(c), { transform: { t: 'deep', key, depth, style } }),
          }),
        ),
    // Text that is not JSON: damaged valid bodies, or a fixed list.
    (c) =>
      fc
        .oneof(
          fc.double({ min: 0, max: 1, noNaN: true }).map((at) => ({ t: 'truncate' as const, at })),
          fc
            .constantFrom('}', ',', ' x', '\u0000', '{}', '"')
            .map((text) => ({ t: 'append' as const, text })),
          fc
            .constantFrom('\uFEFF', ")]}'\n", '/* c */', 'x')
            .map((text) => ({ t: 'prepend' as const, text })),
          fc.constant({ t: 'single-quotes' as const }),
          fc.constant({ t: 'trailing-comma' as const }),
          fc.constant({ t: 'duplicate-key' as const }),
        )
        .map((transform) =>
          relabel(c, `body:invalid-json(${transform.t})`, { body: json(c, valueOf(c), { transform }) }),
        ),
    (c) =>
      fc.constantFrom(...INVALID_JSON).map((text) =>
        relabel(c, 'body:invalid-json(text)', {
          body: { kind: 'raw', text, contentType: 'application/json' },
        }),
      ),
    // JSON that is not an object.
    (c) =>
      fc
        .constantFrom(...NOT_OBJECT)
        .map((text) =>
          relabel(c, 'body:not-an-object', { body: { kind: 'raw', text, contentType: 'application/json' } }),
        ),
    // The valid body under a wrong (or no) content type.
    (c) =>
      fc.constantFrom(...WRONG_CONTENT_TYPES).map((contentType) => {
        const transform =
          contentType === 'application/x-www-form-urlencoded'
            ? ({ t: 'form' } as const)
            : contentType?.startsWith('multipart/')
              ? ({ t: 'multipart' } as const)
              : undefined;
        return relabel(c, `body:content-type(${contentType ?? 'none'})`, {
          body: json(c, valueOf(c), { contentType, ...(transform ? { transform } : {}) }),
        });
      }),
    // No body at all, or an empty one.
    (c) =>
      fc
        .constantFrom<Body>(
          { kind: 'none' },
          { kind: 'raw', text: '', contentType: 'application/json' },
          { kind: 'raw', text: '', contentType: null },
        )
        .map((body) => relabel(c, 'body:missing', { body })),
    // Bytes that are not UTF-8 inside the JSON text.
    (c) =>
      fc
        .constantFrom([0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x80])
        .map((bytes) =>
          relabel(c, 'body:invalid-utf8', {
            body: json(c, valueOf(c), { transform: { t: 'invalid-utf8', bytes } }),
          }),
        ),
    // Content-Encoding: real gzip, or one the body does not have.
    (c) =>
      fc.oneof(
        fc.constant(
          relabel(c, 'body:gzip', {
            body: json(c, valueOf(c), { transform: { t: 'gzip' } }),
            headers: { 'content-encoding': 'gzip' },
          }),
        ),
        fc.constantFrom(...CONTENT_ENCODINGS).map((enc) =>
          relabel(c, `body:content-encoding(${enc})`, {
            headers: { ...c.headers, 'content-encoding': enc },
          }),
        ),
      ),
  ];
  if (required.length) {
    mutations.push((c) =>
      fc
        .constantFrom(...required)
        .map((k) =>
          relabel(c, `body:missing-required(${k})`, { body: json(c, setAt(valueOf(c), [k], undefined)) }),
        ),
    );
  }
  // An id altered (upper case, braces, a suffix…) where the body has one.
  mutations.push((c) => {
    const v = valueOf(c);
    const refs = pathsOf(v).filter((p) => getAt(v, p) instanceof Ref);
    if (!refs.length) return fc.constant(c);
    return fc.tuple(fc.constantFrom(...refs), fc.constantFrom(...TWISTS)).map(([p, twist]) => {
      const ref = getAt(v, p) as Ref;
      return relabel(c, `body:twisted-id(${pathLabel(p)},${twist})`, {
        body: json(c, setAt(v, p, new Ref(ref.kind, ref.pick, twist))),
      });
    });
  });
  return mutations;
}

function queryMutations(op: Operation): Mutation[] {
  const entries = (c: Case) => ('entries' in c.query ? c.query.entries : []);
  const q = (list: readonly (readonly [string, Part])[]): Query => ({ entries: list });
  const names = op.queryParams.map((p) => p.name);
  const mutations: Mutation[] = [
    (c) =>
      fc
        .constantFrom(...RAW_QUERIES)
        .map((raw) => relabel(c, `query:raw(${raw.slice(0, 12)})`, { query: { raw } })),
    (c) =>
      fc
        .tuple(
          fc.constantFrom(...EXTRA_KEYS.filter((k) => k.length < 100), 'fuzz', 'userId', 'tenantId'),
          oddString,
        )
        .map(([k, v]) => relabel(c, 'query:unknown-param', { query: q([...entries(c), [k, { tpl: v }]]) })),
    (c) =>
      fc.constant(
        relabel(c, 'query:many-params', {
          query: q([
            ...entries(c),
            ...Array.from({ length: 300 }, (_, i) => [`p${i}`, { tpl: String(i) }] as const),
          ]),
        }),
      ),
  ];
  if (names.length) {
    const required = op.queryParams.filter((p) => p.required).map((p) => p.name);
    const withParam = (c: Case, name: string, part: Part) =>
      q([...entries(c).filter(([k]) => k !== name), [name, part]]);
    mutations.push(
      (c) =>
        fc
          .tuple(fc.constantFrom(...names), fc.constantFrom(...WRONG_QUERY_VALUES))
          .map(([n, v]) => relabel(c, `query:wrong-type(${n})`, { query: withParam(c, n, { tpl: v }) })),
      (c) =>
        fc
          .tuple(fc.constantFrom(...names), oddString)
          .map(([n, v]) => relabel(c, `query:odd(${n})`, { query: withParam(c, n, { tpl: v }) })),
      (c) =>
        fc
          .tuple(
            fc.constantFrom(...names),
            fc.constantFrom('%', '%ZZ', '%00', '%ED%A0%80', '%C0%AF', '+', '%2B', '%FF'),
          )
          .map(([n, raw]) => relabel(c, `query:raw-value(${n})`, { query: withParam(c, n, { raw }) })),
      (c) =>
        fc
          .tuple(fc.constantFrom(...names), fc.constantFrom(3_000, 6_000))
          .map(([n, size]) =>
            relabel(c, `query:huge(${n},${size})`, { query: withParam(c, n, { raw: 'a'.repeat(size) }) }),
          ),
      // The same parameter twice (with the same or another value).
      (c) =>
        fc.tuple(fc.constantFrom(...names), fc.boolean(), uuidArb).map(([n, same, other]) => {
          const existing = entries(c).find(([k]) => k === n)?.[1] ?? { tpl: other };
          return relabel(c, `query:duplicated(${n})`, {
            query: q([...entries(c), [n, same ? existing : { tpl: other }]]),
          });
        }),
      (c) =>
        fc
          .constantFrom(...names)
          .map((n) =>
            relabel(c, `query:array-syntax(${n})`, { query: q([...entries(c), [`${n}[]`, { tpl: '1' }]]) }),
          ),
    );
    if (required.length) {
      mutations.push((c) =>
        fc
          .constantFrom(...required)
          .map((n) =>
            relabel(c, `query:missing-required(${n})`, { query: q(entries(c).filter(([k]) => k !== n)) }),
          ),
      );
    }
    mutations.push((c) => {
      const refs = entries(c).filter(([, p]) => 'tpl' in p && p.tpl instanceof Ref);
      if (!refs.length) return fc.constant(c);
      return fc.tuple(fc.constantFrom(...refs), fc.constantFrom(...TWISTS)).map(([[n, p], twist]) => {
        const ref = (p as { tpl: Ref }).tpl;
        return relabel(c, `query:twisted-id(${n},${twist})`, {
          query: withParam(c, n, { tpl: new Ref(ref.kind, ref.pick, twist) }),
        });
      });
    });
  } else {
    mutations.push((c) =>
      fc.constant(relabel(c, 'query:duplicated-unknown', { query: { raw: 'a=1&a=2&a=%00' } })),
    );
  }
  return mutations;
}

function pathMutations(op: Operation): Mutation[] {
  if (!op.pathParams.length) return [];
  const names = op.pathParams.map((p) => p.name);
  const set = (c: Case, name: string, part: Part) => ({ ...c.params, [name]: part });
  return [
    (c) =>
      fc
        .tuple(fc.constantFrom(...names), fc.constantFrom(...BAD_IDS))
        .map(([n, raw]) =>
          relabel(c, `path:bad-id(${n},${raw.slice(0, 16)})`, { params: set(c, n, { raw }) }),
        ),
    (c) =>
      fc
        .tuple(fc.constantFrom(...names), oddString)
        .map(([n, odd]) =>
          relabel(c, `path:odd(${n})`, { params: set(c, n, { raw: pctEncode(odd) || '%20' }) }),
        ),
    (c) =>
      fc
        .tuple(fc.constantFrom(...names), uuidArb)
        .map(([n, id]) => relabel(c, `path:unknown-uuid(${n})`, { params: set(c, n, { tpl: id }) })),
    (c) =>
      fc
        .tuple(
          fc.constantFrom(...names),
          fc.constantFrom('userId', 'tenantId', 'pocId', 'dojoId', 'messageId', 'anyId') as fc.Arbitrary<
            Ref['kind']
          >,
          fc.nat({ max: 7 }),
          fc.option(fc.constantFrom(...TWISTS), { nil: undefined }),
        )
        .map(([n, kind, pick, twist]) =>
          relabel(c, `path:other-id(${n},${kind}${twist ? `,${twist}` : ''})`, {
            params: set(c, n, { tpl: new Ref(kind, pick, twist) }),
          }),
        ),
  ];
}

const headerMutations: Mutation[] = [
  (c) =>
    fc
      .constantFrom<Record<string, string>>(
        { 'x-request-id': '../../etc/passwd' },
        { 'x-request-id': 'x'.repeat(5000) },
        { 'x-request-id': "'; DROP TABLE x; --" },
        { accept: 'application/xml' },
        { accept: 'text/html;q=0.1, */*;q=0' },
        { 'if-none-match': '*' },
        { 'if-modified-since': 'not a date' },
        { 'accept-encoding': 'br, gzip, x-fuzz' },
        { 'accept-charset': 'utf-16' },
        { origin: 'https://evil.example' },
        { 'x-forwarded-for': '1.2.3.4, 5.6.7.8' },
        { 'x-tenant-id': '00000000-0000-0000-0000-000000000000' },
        { cookie: 'session=../../x' },
        { range: 'bytes=0-0,-1' },
        { expect: '100-continue' },
      )
      .map((headers) =>
        relabel(c, `header:${Object.keys(headers)[0]}`, { headers: { ...c.headers, ...headers } }),
      ),
];

/** Valid cases and mutations of them, about two thirds mutations. */
export function caseArb(op: Operation): fc.Arbitrary<Case> {
  const valid = validCaseArb(op);
  const groups: { weight: number; mutations: Mutation[] }[] = [
    { weight: op.body ? 6 : 1, mutations: bodyMutations(op) },
    { weight: op.queryParams.length ? 3 : 1, mutations: queryMutations(op) },
    { weight: op.pathParams.length ? 3 : 0, mutations: pathMutations(op) },
    { weight: 1, mutations: headerMutations },
  ].filter((g) => g.weight > 0 && g.mutations.length > 0);
  const mutation = fc.oneof(
    ...groups.map((g) => ({ weight: g.weight, arbitrary: fc.constantFrom(...g.mutations) })),
  );
  // One mutation, sometimes two (labels joined with `+`).
  const mutated = fc
    .tuple(valid, mutation, fc.option(mutation, { freq: 4, nil: undefined }))
    .chain(([c, first, second]) =>
      first(c).chain((once) =>
        second
          ? second(once).map((twice) => ({ ...twice, label: `${once.label}+${twice.label}` }))
          : fc.constant(once),
      ),
    );
  return fc.oneof({ weight: 2, arbitrary: valid }, { weight: 5, arbitrary: mutated });
}
