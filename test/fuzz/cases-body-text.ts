/**
 * Mutations of a body as text and transport rather than as fields: JSON damaged or not JSON at all, JSON that
 * is not an object, wrong or no Content-Type, no body, bytes that are not UTF-8, Content-Encoding; and a body
 * sent to an operation that documents none. These are what the body parser meets before any schema does.
 */
import fc from 'fast-check';
import type { Body } from './model.ts';
import { bodyValue, jsonBody, relabel, type Mutation } from './mutation.ts';
import { makeHuge, oddString } from './strings.ts';

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

/** null: no Content-Type header at all. */
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

const raw = (text: string, contentType: string | null = 'application/json'): Body => ({
  kind: 'raw',
  text,
  contentType,
});

/** The operation documents no body: send one anyway (it must be ignored or refused, never crash anything). */
export const unexpectedBodyMutation: Mutation = (c) =>
  fc
    .oneof(
      fc.constant<Body>({ kind: 'json', value: { x: 1 }, contentType: 'application/json' }),
      fc.constantFrom(...INVALID_JSON, ...NOT_OBJECT).map((text) => raw(text)),
      oddString.map((text) => raw(text, 'text/plain')),
      fc.constant<Body>(raw(makeHuge('ascii', 150_000))),
    )
    .map((body) => relabel(c, 'body:unexpected', { body }));

/** Text that is not JSON: the valid body damaged as it is sent (truncated, quotes swapped, a key twice…). */
const damagedJson: Mutation = (c) =>
  fc
    .oneof(
      fc.double({ min: 0, max: 1, noNaN: true }).map((at) => ({ t: 'truncate' as const, at })),
      fc.constantFrom('}', ',', ' x', '\u0000', '{}', '"').map((text) => ({ t: 'append' as const, text })),
      fc.constantFrom('\uFEFF', ")]}'\n", '/* c */', 'x').map((text) => ({ t: 'prepend' as const, text })),
      fc.constant({ t: 'single-quotes' as const }),
      fc.constant({ t: 'trailing-comma' as const }),
      fc.constant({ t: 'duplicate-key' as const }),
    )
    .map((transform) =>
      relabel(c, `body:invalid-json(${transform.t})`, { body: jsonBody(bodyValue(c), { transform }) }),
    );

const invalidJsonText: Mutation = (c) =>
  fc.constantFrom(...INVALID_JSON).map((text) => relabel(c, 'body:invalid-json(text)', { body: raw(text) }));

const notAnObject: Mutation = (c) =>
  fc.constantFrom(...NOT_OBJECT).map((text) => relabel(c, 'body:not-an-object', { body: raw(text) }));

/** The valid body under a wrong (or no) content type; form and multipart types get a body of that kind. */
const wrongContentType: Mutation = (c) =>
  fc.constantFrom(...WRONG_CONTENT_TYPES).map((contentType) => {
    const transform =
      contentType === 'application/x-www-form-urlencoded'
        ? ({ t: 'form' } as const)
        : contentType?.startsWith('multipart/')
          ? ({ t: 'multipart' } as const)
          : undefined;
    return relabel(c, `body:content-type(${contentType ?? 'none'})`, {
      body: jsonBody(bodyValue(c), { contentType, ...(transform ? { transform } : {}) }),
    });
  });

/** No body at all, or an empty one (with and without a Content-Type). */
const missingBody: Mutation = (c) =>
  fc
    .constantFrom<Body>({ kind: 'none' }, raw(''), raw('', null))
    .map((body) => relabel(c, 'body:missing', { body }));

/** Bytes that are not UTF-8 (overlong, surrogate, out of range, lone continuation) inside the JSON text. */
const invalidUtf8: Mutation = (c) =>
  fc
    .constantFrom([0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x80])
    .map((bytes) =>
      relabel(c, 'body:invalid-utf8', {
        body: jsonBody(bodyValue(c), { transform: { t: 'invalid-utf8', bytes } }),
      }),
    );

/** Content-Encoding: real gzip, or one the body does not have. */
const contentEncoding: Mutation = (c) =>
  fc.oneof(
    fc.constant(
      relabel(c, 'body:gzip', {
        body: jsonBody(bodyValue(c), { transform: { t: 'gzip' } }),
        headers: { 'content-encoding': 'gzip' },
      }),
    ),
    fc.constantFrom(...CONTENT_ENCODINGS).map((enc) =>
      relabel(c, `body:content-encoding(${enc})`, {
        headers: { ...c.headers, 'content-encoding': enc },
      }),
    ),
  );

/** The text and transport mutations of a documented body, in the order `bodyMutations` places them. */
export const bodyTextMutations: readonly Mutation[] = [
  damagedJson,
  invalidJsonText,
  notAnObject,
  wrongContentType,
  missingBody,
  invalidUtf8,
  contentEncoding,
];
