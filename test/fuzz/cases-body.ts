/**
 * Mutations of a documented JSON body's fields: a value of another type, a field the schema does not have, a
 * huge or odd string, deep nesting, a missing required field, an altered id. The mutations of the body's text
 * and transport (invalid JSON, content types, encodings) are in `cases-body-text.ts`.
 */
import fc from 'fast-check';
import { bodyTextMutations, unexpectedBodyMutation } from './cases-body-text.ts';
import { Ref, type Tpl } from './model.ts';
import { bodyValue, EXTRA_KEYS, jsonBody, relabel, TWISTS, type Mutation } from './mutation.ts';
import { typeOf, type JsonSchema, type Operation } from './schema.ts';
import { hugeString, oddString } from './strings.ts';
import { getAt, jsonType, pathLabel, pathsOf, setAt, withKey, type PathKey } from './template-edit.ts';

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

type Props = Record<string, Record<string, unknown>>;

/**
 * A path of the body to alter, among those `only` keeps. A body the generator left empty (every field
 * optional) still gets one: the schema's top-level fields, or `field` if it has none.
 */
function somePath(props: Props, v: Tpl, only?: (p: PathKey) => boolean): fc.Arbitrary<PathKey> {
  const all = pathsOf(v).filter((p) => !only || only(p));
  const topKeys = Object.keys(props);
  const fallback = topKeys.length ? topKeys.map((k) => [k]) : [['field']];
  return fc.constantFrom(...(all.length ? all : fallback));
}

const stringPaths = (v: Tpl) =>
  pathsOf(v).filter((p) => {
    const x = getAt(v, p);
    return typeof x === 'string' || x instanceof Ref;
  });

/** A value of another JSON type, anywhere in the body (other than the declared type of a top-level field). */
const wrongType =
  (props: Props): Mutation =>
  (c) =>
    somePath(props, bodyValue(c)).chain((path) => {
      const current = getAt(bodyValue(c), path);
      const declared = path.length === 1 ? typeOf(props[path[0] as string]) : jsonType(current);
      const others = WRONG_VALUES.filter(
        (w) =>
          jsonType(w) !== jsonType(current) && jsonType(w) !== (declared === 'integer' ? 'number' : declared),
      );
      return fc.constantFrom(...(others.length ? others : WRONG_VALUES)).map((w) =>
        relabel(c, `body:wrong-type(${pathLabel(path)})`, {
          body: jsonBody(setAt(bodyValue(c), path, w)),
        }),
      );
    });

/** A field that is not in the schema. */
const extraField: Mutation = (c) =>
  fc
    .tuple(fc.constantFrom(...EXTRA_KEYS), fc.constantFrom<Tpl>(1, 'x', true, null, { a: 1 }, [1]))
    .map(([k, v]) =>
      relabel(c, `body:extra-field(${JSON.stringify(k).slice(0, 20)})`, {
        body: jsonBody(withKey(bodyValue(c), k, v)),
      }),
    );

/** A string of 100 KB or more in a string field (1.1 MB goes past the body limit). */
const hugeStringField =
  (props: Props): Mutation =>
  (c) =>
    fc
      .tuple(
        somePath(props, bodyValue(c), (p) =>
          stringPaths(bodyValue(c)).some((q) => pathLabel(q) === pathLabel(p)),
        ),
        hugeString,
      )
      .map(([path, huge]) =>
        relabel(c, `body:huge-string(${pathLabel(path)},${huge.kind},${huge.size})`, {
          body: jsonBody(setAt(bodyValue(c), path, huge.value)),
        }),
      );

/** An odd string (NUL, lone surrogates, bidi, percent, traversal, SQL/CQL) in a field or as a key. */
const oddStringField =
  (props: Props): Mutation =>
  (c) =>
    fc.tuple(somePath(props, bodyValue(c)), oddString, fc.boolean()).map(([path, odd, asKey]) =>
      asKey
        ? relabel(c, 'body:odd-key', { body: jsonBody(withKey(bodyValue(c), odd, 'x')) })
        : relabel(c, `body:odd-string(${pathLabel(path)})`, {
            body: jsonBody(setAt(bodyValue(c), path, odd)),
          }),
    );

/**
 * JSON nested 10,000 or 100,000 levels in a field: written into the text when sent (a template that deep
 * would overflow the stack of the suite's own JSON.stringify before the server's parser saw it).
 */
const deepField =
  (props: Props): Mutation =>
  (c) =>
    fc
      .record({
        key: fc.constantFrom(...(Object.keys(props).length ? Object.keys(props) : ['x']), 'deep'),
        depth: fc.constantFrom(10_000, 10_000, 10_000, 100_000),
        style: fc.constantFrom('array' as const, 'object' as const),
      })
      .map(({ key, depth, style }) =>
        relabel(c, `body:deep(${depth},${style})`, {
          body: jsonBody(bodyValue(c), { transform: { t: 'deep', key, depth, style } }),
        }),
      );

const missingRequired =
  (required: readonly string[]): Mutation =>
  (c) =>
    fc
      .constantFrom(...required)
      .map((k) =>
        relabel(c, `body:missing-required(${k})`, { body: jsonBody(setAt(bodyValue(c), [k], undefined)) }),
      );

/** An id altered (upper case, braces, a suffix…) where the body has one; the case unchanged otherwise. */
const twistedId: Mutation = (c) => {
  const v = bodyValue(c);
  const refs = pathsOf(v).filter((p) => getAt(v, p) instanceof Ref);
  if (!refs.length) return fc.constant(c);
  return fc.tuple(fc.constantFrom(...refs), fc.constantFrom(...TWISTS)).map(([p, twist]) => {
    const ref = getAt(v, p) as Ref;
    return relabel(c, `body:twisted-id(${pathLabel(p)},${twist})`, {
      body: jsonBody(setAt(v, p, new Ref(ref.kind, ref.pick, twist))),
    });
  });
};

/** The body mutations of the operation; one that documents no body gets one anyway. */
export function bodyMutations(op: Operation): Mutation[] {
  if (!op.body) return [unexpectedBodyMutation];
  const schema: JsonSchema = op.body.schema;
  const required = (schema.required ?? []) as string[];
  const props = (schema.properties ?? {}) as Props;
  // In this order (see Mutation): the field mutations, the text ones, then missing-required and twisted-id.
  return [
    wrongType(props),
    extraField,
    hugeStringField(props),
    oddStringField(props),
    deepField(props),
    ...bodyTextMutations,
    ...(required.length ? [missingRequired(required)] : []),
    twistedId,
  ];
}
