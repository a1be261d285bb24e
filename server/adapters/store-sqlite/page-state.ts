/**
 * Keyset paging tokens: the last row's clustering values, MACed together with the query they belong to,
 * so a client can neither forge a position nor replay a token against another partition or table.
 */
import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { SQLInputValue } from 'node:sqlite';
import { invalid } from '../../lib/errors.ts';

type Position = (string | number | Buffer)[];

const toJson = (values: readonly SQLInputValue[]): unknown[] =>
  values.map((v) => (v instanceof Uint8Array ? { b: Buffer.from(v).toString('base64') } : v));

/** The secret as a KeyObject: an HMAC keyed by one measured ~4× cheaper here than by the raw bytes. */
const mac = (secret: KeyObject, query: string, payload: string): Buffer =>
  createHmac('sha256', secret).update(`${query}\n${payload}`).digest().subarray(0, 16);

/** A stable text identifying a query (table, equality values, range, direction). */
export const queryFingerprint = (parts: readonly unknown[], values: readonly SQLInputValue[]): string =>
  JSON.stringify([parts, toJson(values)]);

export function encodePageState(
  secret: KeyObject,
  query: string,
  position: readonly SQLInputValue[],
): string {
  const payload = Buffer.from(JSON.stringify(toJson(position))).toString('base64url');
  return `${payload}.${mac(secret, query, payload).toString('base64url')}`;
}

const badPageState = () => invalid('STORE.BAD_PAGE_STATE', 'Invalid page state');

export function decodePageState(secret: KeyObject, query: string, token: string, length: number): Position {
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) throw badPageState();
  const expected = mac(secret, query, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw badPageState();
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw badPageState();
  }
  if (!Array.isArray(values) || values.length !== length) throw badPageState();
  return values.map((v: unknown) => {
    if (typeof v === 'string' || typeof v === 'number') return v;
    if (typeof v === 'object' && v !== null && typeof (v as { b?: unknown }).b === 'string') {
      return Buffer.from((v as { b: string }).b, 'base64');
    }
    throw badPageState();
  });
}
