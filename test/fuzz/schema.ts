/**
 * The operations of the published OpenAPI document, and fast-check arbitraries of valid values derived from
 * their JSON Schemas (types, enums, lengths, patterns, formats, required and optional properties). Fields that
 * name things (ids, usernames, tokens) also draw real values of tenant A, as symbolic `Ref`s.
 */
import fc from 'fast-check';
import { Ref, type RefKind, type Tpl } from './model.ts';

export type JsonSchema = { readonly [key: string]: unknown };

export interface ParamSpec {
  readonly name: string;
  readonly required: boolean;
  readonly schema: JsonSchema;
}

export interface Operation {
  /** `METHOD /path/{param}`, as reports name it. */
  readonly key: string;
  readonly method: string;
  readonly path: string;
  readonly auth: boolean;
  readonly pathParams: readonly ParamSpec[];
  readonly queryParams: readonly ParamSpec[];
  readonly body: { readonly schema: JsonSchema; readonly contentTypes: readonly string[] } | undefined;
  /** Documented responses: status → content types. */
  readonly responses: Readonly<Record<string, { readonly contentTypes: readonly string[] }>>;
}

export const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** Every path × method of the document, in document order. */
export function operationsOf(doc: JsonSchema): Operation[] {
  const ops: Operation[] = [];
  const paths = (doc.paths ?? {}) as Record<string, Record<string, JsonSchema>>;
  for (const [path, item] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!(METHODS as readonly string[]).includes(method)) continue;
      const params = (op.parameters ?? []) as {
        name: string;
        in: string;
        required?: boolean;
        schema?: JsonSchema;
      }[];
      const spec = (where: string) =>
        params
          .filter((p) => p.in === where)
          .map((p) => ({ name: p.name, required: p.required === true, schema: p.schema ?? {} }));
      const content = ((op.requestBody as JsonSchema | undefined)?.content ?? {}) as Record<
        string,
        JsonSchema
      >;
      const types = Object.keys(content);
      const first = types[0];
      const responses: Record<string, { contentTypes: string[] }> = {};
      for (const [status, r] of Object.entries((op.responses ?? {}) as Record<string, JsonSchema>)) {
        responses[status] = { contentTypes: Object.keys((r.content ?? {}) as object) };
      }
      ops.push({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        auth: Array.isArray(op.security) && op.security.length > 0,
        pathParams: spec('path'),
        queryParams: spec('query'),
        body: first
          ? { schema: ((content[first] as JsonSchema).schema ?? {}) as JsonSchema, contentTypes: types }
          : undefined,
        responses,
      });
    }
  }
  return ops;
}

/** Field names whose values are references to things that exist (or secrets the world knows). */
const REF_BY_NAME: Readonly<Record<string, RefKind>> = {
  userId: 'userId',
  members: 'userId',
  tenantId: 'tenantId',
  id: 'pocId',
  dojoId: 'dojoId',
  roomId: 'dojoId',
  messageIds: 'messageId',
  notificationIds: 'notificationId',
  username: 'username',
  email: 'email',
  cursor: 'cursor',
  pictureId: 'pictureId',
  refresh_token: 'refreshToken',
  token: 'confirmToken',
  invitation: 'invitationToken',
  password: 'password',
  currentPassword: 'currentPassword',
  image: 'image',
};

/** The kind of Ref a field of this name takes (any id when the name says nothing). */
export const refKindOf = (name: string): RefKind => REF_BY_NAME[name] ?? 'anyId';

const refArb = (kind: RefKind) => fc.nat({ max: 7 }).map((pick) => new Ref(kind, pick));

const HEX = '0123456789abcdef';
/** A random UUID of the shape the API accepts (version 1–8, RFC variant). */
export const uuidArb: fc.Arbitrary<string> = fc
  .tuple(
    fc.string({ unit: fc.constantFrom(...HEX), minLength: 12, maxLength: 12 }),
    fc.string({ unit: fc.constantFrom(...HEX), minLength: 15, maxLength: 15 }),
    fc.integer({ min: 1, max: 8 }),
    fc.constantFrom('8', '9', 'a', 'b'),
    fc.string({ unit: fc.constantFrom(...HEX), minLength: 3, maxLength: 3 }),
  )
  .map(
    ([a, b, v, variant, c]) =>
      `${a.slice(0, 8)}-${a.slice(8)}-${v}${b.slice(0, 3)}-${variant}${c}-${b.slice(3)}`,
  );

const LOCAL = 'abcdefghijklmnopqrstuvwxyz0123456789';
const emailArb = (max: number): fc.Arbitrary<string> =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .tuple(
          fc.string({ unit: fc.constantFrom(...LOCAL), minLength: 1, maxLength: 12 }),
          fc.string({ unit: fc.constantFrom(...LOCAL), minLength: 1, maxLength: 10 }),
          fc.constantFrom('com', 'org', 'dev', 'io'),
        )
        .map(([l, d, t]) => `fz${l}@${d}.${t}`.slice(-max)),
    },
    { weight: 1, arbitrary: fc.emailAddress() },
  );

const dateArb = fc.date({
  min: new Date('1970-01-01T00:00:00Z'),
  max: new Date('2999-12-31T00:00:00Z'),
  noInvalidDate: true,
});
const dateTimeArb: fc.Arbitrary<string> = fc.oneof(
  dateArb.map((d) => d.toISOString()),
  dateArb.map((d) => d.toISOString().replace(/\.\d+Z$/, '+02:00')),
  dateArb.map((d) => d.toISOString().replace(/\.\d+Z$/, 'Z')),
);

/**
 * Unusual text that validation may well accept: lone surrogates, emoji, combining marks, characters whose
 * case mapping changes their length, bidi-free RTL scripts, quotes and SQL/CQL, percent sequences.
 */
const VALID_ODD = [
  '\uD800',
  '\uDFFF',
  'x\uD83D',
  '😀',
  '👩🏽‍💻',
  'e\u0301\u0301',
  'İ',
  'ß',
  'ǅ',
  'ﬃ',
  'Σ',
  'עברית',
  'العربية',
  "O'Brien",
  "'; DROP TABLE pocs; --",
  '" OR ""="',
  '%00',
  '%ED%A0%80',
  '../..',
  '\\',
  '${x}',
  '__proto__',
];

/** Patterns whose own generators give better values than fc.stringMatching. */
function patternArb(pattern: string, min: number, max: number): fc.Arbitrary<string> {
  let re: RegExp;
  try {
    re = new RegExp(pattern, 'u');
  } catch {
    return fc.string({ minLength: min, maxLength: max });
  }
  const fits = (s: string) => s.length >= min && s.length <= max && re.test(s);
  // Character-class patterns (`^[...]+$`, `^[^...]*$`): a plain string of the right length, filtered.
  if (/^\^\[[^\]]+\][*+]\$$/.test(pattern)) {
    const cls = pattern.slice(1, -2);
    const negated = cls.startsWith('[^');
    const unit = negated
      ? fc.oneof(
          { weight: 8, arbitrary: fc.constantFrom(...'abcxyzABC019 -_.,;:!?') },
          { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
        )
      : fc.stringMatching(new RegExp(`^${cls}$`, 'u'));
    return fc
      .array(unit, { minLength: Math.max(min, 1), maxLength: Math.min(max, 40) })
      .map((parts) => parts.join('').slice(0, max))
      .filter(fits);
  }
  return fc
    .stringMatching(re)
    .map((s) => s.slice(0, max))
    .filter(fits);
}

function stringArb(schema: JsonSchema, name: string): fc.Arbitrary<string> {
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const max = Math.min(typeof schema.maxLength === 'number' ? schema.maxLength : 200, 2000);
  if (schema.format === 'uuid') return uuidArb;
  if (schema.format === 'email') return emailArb(max);
  if (schema.format === 'date-time') return dateTimeArb;
  if (schema.format === 'date') return dateArb.map((d) => d.toISOString().slice(0, 10));
  if (/url$/i.test(name))
    return fc.webUrl({ validSchemes: ['http', 'https'] }).filter((u) => u.length >= min && u.length <= max);
  if (name === 'grant_type')
    return fc.constantFrom('refresh_token', 'password', 'authorization_code', 'client_credentials');
  const fits = (s: string) => s.length >= min && s.length <= max;
  const re = typeof schema.pattern === 'string' ? new RegExp(schema.pattern, 'u') : undefined;
  // Odd text the schema still accepts (lone surrogates pass `[^\p{Cc}\p{Cf}]`, for one), padded to the minimum.
  const odd = VALID_ODD.map((o) => (o.length < min ? o + 'a'.repeat(min - o.length) : o)).filter(
    (o) => fits(o) && (!re || re.test(o)),
  );
  const oddArb = odd.length ? [{ weight: 1, arbitrary: fc.constantFrom(...odd) }] : [];
  if (typeof schema.pattern === 'string') {
    return fc.oneof({ weight: 5, arbitrary: patternArb(schema.pattern, min, max) }, ...oddArb);
  }
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc.string({ minLength: min, maxLength: Math.max(min, Math.min(max, 60)) }).filter(fits),
    },
    {
      weight: 1,
      arbitrary: fc
        .string({ unit: 'grapheme', minLength: min, maxLength: Math.max(min, Math.min(max, 20)) })
        .filter(fits),
    },
    ...oddArb,
  );
}

function numberArb(schema: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const min = typeof schema.minimum === 'number' ? schema.minimum : -1_000_000;
  const max = typeof schema.maximum === 'number' ? schema.maximum : 1_000_000;
  return integer
    ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) })
    : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
}

export interface ValueOptions {
  /** The property name the value is for (ids, tokens and URLs are recognised by name). */
  readonly name: string;
  readonly depth?: number;
}

/** Valid values of a JSON Schema, with Refs to the world where the field names something. */
export function valueArb(schema: JsonSchema, options: ValueOptions): fc.Arbitrary<Tpl> {
  const { name } = options;
  const depth = options.depth ?? 0;
  const kind = REF_BY_NAME[name];
  const plain = plainArb(schema, options);
  if (!kind || depth > 4 || schema.type === 'array') return plain;
  // Ids mostly name real things; names and secrets half the time (a taken username is a 409, not a sign-up).
  const weight = ['username', 'email', 'invitationToken', 'password'].includes(kind) ? 1 : 3;
  return fc.oneof({ weight, arbitrary: refArb(kind) as fc.Arbitrary<Tpl> }, { weight: 1, arbitrary: plain });
}

function plainArb(schema: JsonSchema, options: ValueOptions): fc.Arbitrary<Tpl> {
  const { name } = options;
  const depth = options.depth ?? 0;
  const branches = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (branches?.length) return fc.oneof(...branches.map((b) => valueArb(b, options)));
  if (Array.isArray(schema.enum) && schema.enum.length) return fc.constantFrom(...(schema.enum as Tpl[]));
  if ('const' in schema) return fc.constant(schema.const as Tpl);
  const type = schema.type;
  if (Array.isArray(type))
    return fc.oneof(...type.map((t) => plainArb({ ...schema, type: t as string }, options)));
  switch (type) {
    case 'string':
      return stringArb(schema, name);
    case 'integer':
      return numberArb(schema, true);
    case 'number':
      return numberArb(schema, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const items = (schema.items ?? {}) as JsonSchema;
      const minLength = typeof schema.minItems === 'number' ? schema.minItems : 0;
      const maxLength = Math.min(typeof schema.maxItems === 'number' ? schema.maxItems : 5, minLength + 5);
      return fc.array(valueArb(items, { name, depth: depth + 1 }), { minLength, maxLength });
    }
    case 'object':
      return objectArb(schema, depth);
    default:
      // No type (a schema zod could not represent): any small JSON value.
      return fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Tpl>;
  }
}

function objectArb(schema: JsonSchema, depth: number): fc.Arbitrary<Tpl> {
  const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = ((schema.required ?? []) as string[]).filter((k) => k in props);
  const model: Record<string, fc.Arbitrary<Tpl>> = {};
  for (const [key, prop] of Object.entries(props))
    model[key] = valueArb(prop, { name: key, depth: depth + 1 });
  const record = fc.record(model, { requiredKeys: required }) as fc.Arbitrary<Record<string, Tpl>>;
  const extra = schema.additionalProperties;
  if (extra && typeof extra === 'object') {
    const names = (schema.propertyNames ?? { type: 'string', minLength: 1, maxLength: 20 }) as JsonSchema;
    const dict = fc.dictionary(
      stringArb(names, ''),
      valueArb(extra as JsonSchema, { name: '', depth: depth + 1 }),
      { maxKeys: 4 },
    );
    return fc.tuple(record, dict).map(([r, d]) => ({ ...d, ...r }));
  }
  return record;
}

/** The value the schema declares for each property, to pick a different one for wrong-type mutations. */
export function typeOf(schema: JsonSchema | undefined): string {
  if (!schema) return 'any';
  if (Array.isArray(schema.enum)) return 'string';
  const branches = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (branches?.length) return typeOf(branches[0]);
  return typeof schema.type === 'string' ? schema.type : 'any';
}
