/**
 * Valid cases of an operation: path parameters, query and body drawn from its JSON Schemas (with ids, tokens
 * and passwords of the world, as Refs), the actor of tenant A that sends it, and the garbage token its garbage
 * variant carries. Every mutation starts from one of these, so that it changes one thing of a valid request.
 */
import fc from 'fast-check';
import type { Body, Case, GarbageToken, Part, Tpl } from './model.ts';
import { valueArb, type Operation, type ParamSpec } from './schema.ts';

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

/** The body: JSON, or the same fields as a form where the operation also accepts one (OAuth's token endpoint). */
function bodyArb(op: Operation): fc.Arbitrary<Body> {
  if (!op.body) return fc.constant({ kind: 'none' });
  const formToo = op.body.contentTypes.includes('application/x-www-form-urlencoded');
  return fc
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
    );
}

export function validCaseArb(op: Operation): fc.Arbitrary<Case> {
  const params: Record<string, fc.Arbitrary<Part>> = {};
  for (const p of op.pathParams)
    params[p.name] = valueArb(p.schema, { name: p.name }).map((tpl) => ({ tpl }));
  return fc
    .record({
      actor: fc.constantFrom('ownerA' as const, 'memberA' as const),
      garbage: fc.constantFrom(...GARBAGE),
      params: fc.record(params),
      query: queryArb(op.queryParams),
      body: bodyArb(op),
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
