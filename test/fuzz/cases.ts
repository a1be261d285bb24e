/**
 * Request cases of one operation: valid ones derived from its schemas (`cases-valid.ts`), and mutations of
 * them, one or two at a time: of the body's fields (`cases-body.ts`) and of its text and transport
 * (`cases-body-text.ts`), of the query (`cases-query.ts`), the path ids (`cases-path.ts`) and the headers
 * (`cases-headers.ts`).
 */
import fc from 'fast-check';
import { bodyMutations } from './cases-body.ts';
import { headerMutations } from './cases-headers.ts';
import { pathMutations } from './cases-path.ts';
import { queryMutations } from './cases-query.ts';
import { validCaseArb } from './cases-valid.ts';
import type { Case } from './model.ts';
import type { Mutation } from './mutation.ts';
import type { Operation } from './schema.ts';

/**
 * Valid cases and mutations of them, about two thirds mutations. A family weighs more where the operation has
 * more of what it mutates (a body, documented query parameters), and nothing where it has nothing to mutate.
 */
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
