/**
 * Builds the request one variant of a case sends: its Refs resolved for that variant (tenant A's ids for the
 * cross variant, random ones for the twin…), path and query percent-encoded unless raw, the body's JSON text
 * damaged or re-encoded as its transform says.
 */
import { gzipSync } from 'node:zlib';
import { resolveTpl, type Case, type Part, type Ref, type Transform } from './model.ts';
import type { Operation } from './schema.ts';
import { pctEncode } from './strings.ts';
import type { Variant } from './variants.ts';
import type { WireRequest } from './wire.ts';
import type { World } from './world.ts';

export interface Sent {
  readonly wire: WireRequest;
  /** Everything the request carried, as text: an echo of it in the answer is not a leak. */
  readonly text: string;
  /** The JSON body before any damage, for bookkeeping (new password, used refresh token…). */
  readonly value: unknown;
}

export function materialize(world: Pick<World, 'resolve'>, op: Operation, c: Case, variant: Variant): Sent {
  const ctx = { mode: variant.mode, caller: variant.caller, mutating: op.method !== 'GET' };
  const resolve = (ref: Ref) => world.resolve(ref, ctx);
  const partText = (p: Part): string => {
    if ('raw' in p) return p.raw;
    const v = resolveTpl(p.tpl, resolve);
    return pctEncode(typeof v === 'string' ? v : JSON.stringify(v));
  };
  let path = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    const part = c.params[name];
    return part ? partText(part) : 'missing';
  });
  const query =
    'raw' in c.query
      ? c.query.raw
      : c.query.entries.map(([k, p]) => `${pctEncode(k)}=${partText(p)}`).join('&');
  if (query) path += `?${query}`;
  const headers: Record<string, string> = { ...c.headers };
  if (variant.authorization !== undefined) headers.authorization = variant.authorization;
  let body: Buffer | undefined;
  let value: unknown;
  if (c.body.kind === 'raw') {
    body = Buffer.from(c.body.text, 'utf8');
    if (c.body.contentType !== null) headers['content-type'] = c.body.contentType;
  } else if (c.body.kind === 'json') {
    value = resolveTpl(c.body.value, resolve);
    body = encodeBody(value, c.body.transform);
    if (c.body.contentType !== null) headers['content-type'] = c.body.contentType;
  }
  const wire: WireRequest = { method: op.method, path, headers, ...(body ? { body } : {}) };
  // The request's text holds the path both as sent and decoded, and a gzipped body as the JSON it carries:
  // an answer that echoes any of them (a 404 naming the path) is not a leak.
  let decodedPath = path;
  try {
    decodedPath = decodeURIComponent(path);
  } catch {
    // keep the raw path
  }
  const bodyText =
    body && c.body.kind === 'json' && c.body.transform?.t === 'gzip'
      ? JSON.stringify(value)
      : (body?.toString('utf8') ?? '');
  return { wire, value, text: [path, decodedPath, bodyText, ...Object.values(headers)].join('\n') };
}

/** The bytes of a JSON body: its text, damaged or re-encoded as the transform says. */
function encodeBody(value: unknown, transform: Transform | undefined): Buffer {
  const text = JSON.stringify(value) ?? 'null';
  if (!transform) return Buffer.from(text, 'utf8');
  switch (transform.t) {
    case 'truncate':
      return Buffer.from(text.slice(0, Math.floor(text.length * transform.at)), 'utf8');
    case 'append':
      return Buffer.from(text + transform.text, 'utf8');
    case 'prepend':
      return Buffer.from(transform.text + text, 'utf8');
    case 'single-quotes':
      return Buffer.from(text.replaceAll('"', "'"), 'utf8');
    case 'trailing-comma':
      return Buffer.from(text.endsWith('}') ? `${text.slice(0, -1)},}` : `${text},`, 'utf8');
    case 'duplicate-key': {
      const first = value && typeof value === 'object' ? Object.keys(value)[0] : undefined;
      return Buffer.from(
        first !== undefined ? `{${JSON.stringify(first)}:"dup",${text.slice(1)}` : `{"a":1,"a":2}`,
        'utf8',
      );
    }
    case 'deep': {
      // Written as text: a value nested this deep would overflow JSON.stringify's stack here.
      const d = transform.depth;
      const inner =
        transform.style === 'array' ? '['.repeat(d) + ']'.repeat(d) : '{"a":'.repeat(d) + '1' + '}'.repeat(d);
      const rest =
        value && typeof value === 'object' && !Array.isArray(value)
          ? Object.fromEntries(Object.entries(value).filter(([k]) => k !== transform.key))
          : {};
      const head = JSON.stringify(rest).slice(0, -1);
      return Buffer.from(
        `${head}${head.length > 1 ? ',' : ''}${JSON.stringify(transform.key)}:${inner}}`,
        'utf8',
      );
    }
    case 'invalid-utf8': {
      // Inside the first string value, where a decoder that replaces bad bytes would hide them.
      const at = text.indexOf('":"');
      const cut = at >= 0 ? at + 3 : -1;
      const bytes = Buffer.from(transform.bytes);
      if (cut < 0) return Buffer.concat([Buffer.from('{"x":"'), bytes, Buffer.from('"}')]);
      return Buffer.concat([
        Buffer.from(text.slice(0, cut), 'utf8'),
        bytes,
        Buffer.from(text.slice(cut), 'utf8'),
      ]);
    }
    case 'form': {
      const form = new URLSearchParams();
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        for (const [k, v] of Object.entries(value))
          form.append(k, typeof v === 'string' ? v : JSON.stringify(v));
      }
      return Buffer.from(form.toString(), 'utf8');
    }
    case 'multipart': {
      const parts =
        value && typeof value === 'object' && !Array.isArray(value)
          ? Object.entries(value).map(
              ([k, v]) =>
                `--fuzzboundary\r\nContent-Disposition: form-data; name="${k.replace(/["\r\n]/g, '_')}"\r\n\r\n${typeof v === 'string' ? v : JSON.stringify(v)}\r\n`,
            )
          : [];
      return Buffer.from(`${parts.join('')}--fuzzboundary--\r\n`, 'utf8');
    }
    case 'gzip':
      return gzipSync(Buffer.from(text, 'utf8'));
  }
}
