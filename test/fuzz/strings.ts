/** Odd and huge strings, and percent-encoding that also handles lone surrogates. */
import fc from 'fast-check';

/**
 * Strings that break naive code: control characters, lone UTF-16 surrogates, emoji (surrogate pairs),
 * bidi controls, percent sequences, traversal, SQL/CQL, JSON/JS specials, header injection. None of them
 * contains the words the leak check looks for, so an echo of one is never mistaken for a leak.
 */
export const ODD_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\uD800',
  '\uDFFF',
  'x\uD83D',
  '\uDE00y',
  '\uD800\uD800',
  '😀',
  '👩🏽‍💻🏳️‍🌈',
  'e\u0301\u0301\u0301\u0301',
  '\u202Eevil\u202C',
  '\u200F\u200E\u061C',
  '\u200B\uFEFF',
  '\uFFFD\uFFFE\uFFFF',
  '%',
  '%ZZ',
  '%00',
  '%2e%2e%2f',
  '%ED%A0%80',
  '%%%%',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '/..',
  "' OR '1'='1",
  "'; DROP TABLE users; --",
  '" OR ""="',
  '1; SELECT * FROM system_schema.tables ALLOW FILTERING',
  "x' IF EXISTS; UPDATE users SET role='owner' WHERE user_id=",
  '$where',
  '{"$gt": ""}',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'null',
  'undefined',
  'NaN',
  '-0',
  '1e309',
  'true',
  '[]',
  '{}',
  '<script>alert(1)</script>',
  '${7*7}{{7*7}}',
  'a\r\nSet-Cookie: x=1',
  '\t\n\r\u000b\u000c',
  '\u0085\u2028\u2029',
  'Ω≈ç√∫',
  '中文字符',
  'ﷺ',
  'A'.repeat(257),
  '0'.repeat(64),
];

/** One odd string, sometimes inside an ordinary one. */
export const oddString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...ODD_STRINGS) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...ODD_STRINGS), fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }))
      .map(([odd, a, b]) => a + odd + b),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
);

export type HugeKind = 'ascii' | 'emoji' | 'nul' | 'surrogate' | 'percent' | 'multibyte';

/** A string of at least 100 KB; `megabyte` goes past the 1 MiB body limit. */
export const hugeString = fc
  .record({
    kind: fc.constantFrom<HugeKind>('ascii', 'emoji', 'nul', 'surrogate', 'percent', 'multibyte'),
    size: fc.constantFrom(100_000, 150_000, 1_100_000),
  })
  .map(({ kind, size }) => ({ kind, size, value: makeHuge(kind, size) }));

const HUGE_UNITS: Record<HugeKind, string> = {
  ascii: 'a',
  emoji: '😀',
  nul: '\u0000',
  surrogate: '\uD800',
  percent: '%',
  multibyte: 'é',
};

const hugeCache = new Map<string, string>();
export function makeHuge(kind: HugeKind, size: number): string {
  const key = `${kind}:${size}`;
  let value = hugeCache.get(key);
  if (value === undefined) {
    const unit = HUGE_UNITS[kind];
    value = unit.repeat(Math.ceil(size / unit.length));
    hugeCache.set(key, value);
  }
  return value;
}

/**
 * Percent-encodes every byte of the string's WTF-8 form: like encodeURIComponent, but a lone surrogate is
 * sent as its three bytes (`%ED%A0%80`) instead of throwing.
 */
export function pctEncode(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    let cp = unit;
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < value.length) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        cp = 0x10000 + ((unit - 0xd800) << 10) + (next - 0xdc00);
        i++;
      }
    }
    if (cp < 0x80 && /[A-Za-z0-9\-_.!~*'()]/.test(String.fromCharCode(cp))) {
      out += String.fromCharCode(cp);
      continue;
    }
    for (const byte of wtf8(cp)) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function wtf8(cp: number): number[] {
  if (cp < 0x80) return [cp];
  if (cp < 0x800) return [0xc0 | (cp >> 6), 0x80 | (cp & 63)];
  if (cp < 0x10000) return [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)];
  return [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)];
}

/** A short, printable rendering of any text for reports: escapes controls and lone surrogates, cuts long ones. */
export function preview(text: string, max = 600): string {
  const cut = text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
  return cut.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const UNPRINTABLE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2028\u2029\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
