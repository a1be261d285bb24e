/**
 * What every family of mutations (body, body text, query, path, headers) shares: the shape of a mutation, how
 * it relabels the case, and the few value lists more than one family draws from.
 */
import type fc from 'fast-check';
import type { Body, Case, Tpl, Twist } from './model.ts';

/**
 * Turns a case into an arbitrary of altered cases. Mutations are picked by their index in their family's list
 * (`fc.constantFrom`), so the order of a list is part of what a seed means: reordering one changes the cases
 * of every seed, and the repro commands of earlier reports stop reproducing.
 */
export type Mutation = (c: Case) => fc.Arbitrary<Case>;

/** The case with some parts replaced and the label of the mutation (reports and statistics group by it). */
export const relabel = (c: Case, label: string, change: Partial<Case>): Case => ({ ...c, ...change, label });

/** The JSON value of the case's body: `{}` when the body is raw text or absent, so there is one to alter. */
export const bodyValue = (c: Case): Tpl => (c.body.kind === 'json' ? c.body.value : {});

/** A JSON body of `value`, as `application/json` unless `extra` says otherwise. */
export const jsonBody = (value: Tpl, extra: Partial<Extract<Body, { kind: 'json' }>> = {}): Body => ({
  kind: 'json',
  value,
  contentType: 'application/json',
  ...extra,
});

/**
 * Keys added to bodies and queries where the schema does not expect them: privilege and tenant fields a
 * careless handler might copy, prototype-pollution keys, and keys that are empty, control characters, lone
 * surrogates or huge.
 */
export const EXTRA_KEYS = [
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

/** Ways of altering a real id so that it no longer is one (an id lookup must not normalize it back). */
export const TWISTS: readonly Twist[] = ['upper', 'braces', 'suffix', 'prefix', 'space'];
