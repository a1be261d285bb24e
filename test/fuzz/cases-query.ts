/**
 * Mutations of the query string: odd whole query strings, unknown and 300 parameters, and for each documented
 * parameter a wrong type, an odd or raw (undecodable) value, 3–6 KB, the parameter twice or in `a[]` syntax,
 * a missing required one, an altered id.
 */
import fc from 'fast-check';
import { Ref, type Case, type Part, type Query } from './model.ts';
import { EXTRA_KEYS, relabel, TWISTS, type Mutation } from './mutation.ts';
import { uuidArb, type Operation } from './schema.ts';
import { oddString } from './strings.ts';

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

/** Percent sequences that do not decode (or decode to what a parser may trip on), sent as they are. */
const RAW_VALUES = ['%', '%ZZ', '%00', '%ED%A0%80', '%C0%AF', '+', '%2B', '%FF'];

const entriesOf = (c: Case) => ('entries' in c.query ? c.query.entries : []);
const query = (list: readonly (readonly [string, Part])[]): Query => ({ entries: list });
/** The case's query with `name` set to `part` (replacing what it had). */
const withParam = (c: Case, name: string, part: Part) =>
  query([...entriesOf(c).filter(([k]) => k !== name), [name, part]]);

/** Mutations every operation gets, whether it documents a query or not. */
const anyQueryMutations: readonly Mutation[] = [
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
      .map(([k, v]) =>
        relabel(c, 'query:unknown-param', { query: query([...entriesOf(c), [k, { tpl: v }]]) }),
      ),
  (c) =>
    fc.constant(
      relabel(c, 'query:many-params', {
        query: query([
          ...entriesOf(c),
          ...Array.from({ length: 300 }, (_, i) => [`p${i}`, { tpl: String(i) }] as const),
        ]),
      }),
    ),
];

/** Mutations of the documented parameters `names`. */
function paramMutations(names: readonly string[]): Mutation[] {
  return [
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
        .tuple(fc.constantFrom(...names), fc.constantFrom(...RAW_VALUES))
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
        const existing = entriesOf(c).find(([k]) => k === n)?.[1] ?? { tpl: other };
        return relabel(c, `query:duplicated(${n})`, {
          query: query([...entriesOf(c), [n, same ? existing : { tpl: other }]]),
        });
      }),
    (c) =>
      fc.constantFrom(...names).map((n) =>
        relabel(c, `query:array-syntax(${n})`, {
          query: query([...entriesOf(c), [`${n}[]`, { tpl: '1' }]]),
        }),
      ),
  ];
}

const missingRequired =
  (required: readonly string[]): Mutation =>
  (c) =>
    fc
      .constantFrom(...required)
      .map((n) =>
        relabel(c, `query:missing-required(${n})`, { query: query(entriesOf(c).filter(([k]) => k !== n)) }),
      );

/** An id of the query altered (upper case, braces, a suffix…); the case unchanged if it has none. */
const twistedId: Mutation = (c) => {
  const refs = entriesOf(c).filter(([, p]) => 'tpl' in p && p.tpl instanceof Ref);
  if (!refs.length) return fc.constant(c);
  return fc.tuple(fc.constantFrom(...refs), fc.constantFrom(...TWISTS)).map(([[n, p], twist]) => {
    const ref = (p as { tpl: Ref }).tpl;
    return relabel(c, `query:twisted-id(${n},${twist})`, {
      query: withParam(c, n, { tpl: new Ref(ref.kind, ref.pick, twist) }),
    });
  });
};

/** A parameter repeated on an operation without any: the query must still be ignored or refused cleanly. */
const duplicatedUnknown: Mutation = (c) =>
  fc.constant(relabel(c, 'query:duplicated-unknown', { query: { raw: 'a=1&a=2&a=%00' } }));

/** The query mutations of the operation, in a fixed order (see Mutation). */
export function queryMutations(op: Operation): Mutation[] {
  const names = op.queryParams.map((p) => p.name);
  if (!names.length) return [...anyQueryMutations, duplicatedUnknown];
  const required = op.queryParams.filter((p) => p.required).map((p) => p.name);
  return [
    ...anyQueryMutations,
    ...paramMutations(names),
    ...(required.length ? [missingRequired(required)] : []),
    twistedId,
  ];
}
