/**
 * Mutations of the path parameters: ids that are not uuids (sent raw on the request line, so that the
 * router and not the fuzzer decodes them), odd strings, a uuid of nothing, and real ids of other kinds.
 */
import fc from 'fast-check';
import { Ref, type Case, type Part } from './model.ts';
import { relabel, TWISTS, type Mutation } from './mutation.ts';
import { uuidArb, type Operation } from './schema.ts';
import { oddString, pctEncode } from './strings.ts';

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

/** Kinds of real ids put where another kind is expected (a POC id where a dojo id goes…). */
const OTHER_ID_KINDS: readonly Ref['kind'][] = [
  'userId',
  'tenantId',
  'pocId',
  'dojoId',
  'messageId',
  'anyId',
];

/** The path mutations of the operation; none when its path has no parameter. */
export function pathMutations(op: Operation): Mutation[] {
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
          fc.constantFrom(...OTHER_ID_KINDS),
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
