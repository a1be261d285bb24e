/**
 * Mutations of the headers every operation gets: odd request ids, content negotiation the API does not
 * offer, conditional and range requests, a foreign Origin, forwarded addresses, a tenant header, `Expect`.
 */
import fc from 'fast-check';
import { relabel, type Mutation } from './mutation.ts';

const ODD_HEADERS: readonly Record<string, string>[] = [
  { 'x-request-id': '../../etc/passwd' },
  { 'x-request-id': 'x'.repeat(5000) },
  { 'x-request-id': "'; DROP TABLE x; --" },
  { accept: 'application/xml' },
  { accept: 'text/html;q=0.1, */*;q=0' },
  { 'if-none-match': '*' },
  { 'if-modified-since': 'not a date' },
  { 'accept-encoding': 'br, gzip, x-fuzz' },
  { 'accept-charset': 'utf-16' },
  { origin: 'https://evil.example' },
  { 'x-forwarded-for': '1.2.3.4, 5.6.7.8' },
  { 'x-tenant-id': '00000000-0000-0000-0000-000000000000' },
  { cookie: 'session=../../x' },
  { range: 'bytes=0-0,-1' },
  { expect: '100-continue' },
];

export const headerMutations: Mutation[] = [
  (c) =>
    fc
      .constantFrom(...ODD_HEADERS)
      .map((headers) =>
        relabel(c, `header:${Object.keys(headers)[0]}`, { headers: { ...c.headers, ...headers } }),
      ),
];
