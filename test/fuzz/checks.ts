/**
 * What every answer must satisfy (the contract's error and hygiene rules), and the cross-tenant rules of each
 * operation: which answers to tenant B would reveal or change something of tenant A.
 */
import type { Operation } from './schema.ts';
import type { WireResponse, WireResult } from './wire.ts';

export interface Finding {
  /** Short, stable reason: the deduplication key together with the operation and the status. */
  readonly reason: string;
  readonly detail: string;
}

/** Text no answer may contain: stack traces, source locations, driver and engine messages. */
const LEAKS: readonly (readonly [string, string])[] = [
  ['at Object.', 'stack trace'],
  ['    at ', 'stack trace'],
  ['.ts:', 'source location'],
  ['node:internal', 'stack trace'],
  ['ResponseError', 'driver text'],
  ['cassandra', 'driver text'],
  ['SQLITE', 'driver text'],
  ['sqlite', 'driver text'],
  ['ioredis', 'driver text'],
  ['KafkaJS', 'driver text'],
  ['TypeError', 'engine error'],
  ['ReferenceError', 'engine error'],
  ['SyntaxError', 'engine error'],
  ['RangeError', 'engine error'],
  ['URIError', 'engine error'],
  ['Cannot read properties of', 'engine error'],
  ['is not a function', 'engine error'],
  ['in JSON at position', 'engine error'],
  ['Maximum call stack', 'engine error'],
];

const header = (res: WireResponse, name: string): string => {
  const v = res.headers[name];
  return Array.isArray(v) ? v.join(', ') : (v ?? '');
};

export const mediaType = (res: WireResponse): string =>
  header(res, 'content-type').split(';')[0]?.trim().toLowerCase() ?? '';

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The checks every answer gets, whoever sent it. `requestText` is everything the request carried, so that
 * an echo of the request (a 404 naming the path it was asked) is not taken for a leak.
 */
export function generalChecks(op: Operation, result: WireResult, requestText: string): Finding[] {
  if (!result.ok) return [{ reason: 'no HTTP answer', detail: result.error }];
  const res = result.response;
  const out: Finding[] = [];
  const { status } = res;
  if (status >= 500) {
    out.push({ reason: `${status} server error`, detail: res.text.slice(0, 300) });
  }
  if (status >= 400 && status < 500) out.push(...problemChecks(op, res));
  for (const [needle, what] of LEAKS) {
    if (res.text.includes(needle) && !requestText.includes(needle)) {
      const at = res.text.indexOf(needle);
      out.push({
        reason: `${what} in body (${JSON.stringify(needle)})`,
        detail: res.text.slice(Math.max(0, at - 120), at + 120),
      });
    }
  }
  return out;
}

/**
 * A 4xx is problem+json with type, title, status (the HTTP status) and detail, unless the operation documents
 * another body for that status (POST /v1/oauth/token answers RFC 6749 §5.2 JSON errors).
 */
function problemChecks(op: Operation, res: WireResponse): Finding[] {
  const documented = op.responses[String(res.status)]?.contentTypes ?? [];
  const alternative = documented.find((t) => t !== 'application/problem+json');
  const type = mediaType(res);
  const body = parseJson(res.text) as Record<string, unknown> | undefined;
  if (alternative && type === alternative) {
    if (alternative === 'application/json' && (typeof body !== 'object' || body === null)) {
      return [{ reason: `${res.status} documented JSON body is not JSON`, detail: res.text.slice(0, 200) }];
    }
    return [];
  }
  const out: Finding[] = [];
  if (type !== 'application/problem+json') {
    out.push({
      reason: `${res.status} not application/problem+json (${type || 'no Content-Type'})`,
      detail: res.text.slice(0, 200),
    });
    return out;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    out.push({ reason: 'problem body is not a JSON object', detail: res.text.slice(0, 200) });
    return out;
  }
  const missing = ['type', 'title', 'detail'].filter((k) => typeof body[k] !== 'string');
  if (typeof body.status !== 'number') missing.push('status');
  if (missing.length)
    out.push({ reason: `problem without ${missing.join(', ')}`, detail: res.text.slice(0, 200) });
  else if (body.status !== res.status)
    out.push({ reason: 'problem status differs from HTTP status', detail: `body ${String(body.status)}` });
  if (res.status === 429 && !header(res, 'retry-after'))
    out.push({ reason: '429 without Retry-After', detail: res.text.slice(0, 200) });
  if (res.status === 405 && !header(res, 'allow'))
    out.push({ reason: '405 without Allow', detail: res.text.slice(0, 200) });
  return out;
}

/** The first marker (a string only one tenant's data contains) in the answer that the request did not carry. */
export function leakedMarker(
  text: string,
  markers: ReadonlySet<string>,
  requestText: string,
): string | undefined {
  for (const m of markers) if (text.includes(m) && !requestText.includes(m)) return m;
  return undefined;
}

/**
 * How tenant B's requests that name tenant A's resources are judged, per operation. The default: any 2xx is
 * a cross-tenant success (a GET answered A's data, a mutation was accepted). Exceptions say why.
 */
export type CrossRule =
  | { readonly kind: 'strict' }
  /** The operation's own secret grants access (a signed link, a refresh or confirmation token): not a tenant check. */
  | { readonly kind: 'capability'; readonly why: string }
  /** 2xx is fine while the answer's number field is 0 (ids of others are skipped, never acted on). */
  | { readonly kind: 'count'; readonly field: string; readonly why: string }
  /** Only these inputs select what is read; the others filter (a 2xx with a foreign filter reveals nothing). */
  | { readonly kind: 'primary'; readonly names: readonly string[]; readonly why: string }
  /** Others' ids are documented as ignored: the 2xx is right, and the integrity check proves nothing changed. */
  | { readonly kind: 'ignored'; readonly why: string };

export const CROSS_RULES: Readonly<Record<string, CrossRule>> = {
  'GET /v1/user/{userId}/picture/{pictureId}': {
    kind: 'capability',
    why: 'the picture link is public by design: its random pictureId is the secret (contract, views.ts)',
  },
  'POST /v1/oauth/token': { kind: 'capability', why: 'a refresh token is a credential of its own' },
  'POST /v1/account/confirm': { kind: 'capability', why: 'the mailed confirmation token is the credential' },
  'GET /v1/account/confirm': {
    kind: 'capability',
    why: 'the page only puts the token it was given into a form (confirming takes the POST); it reads nothing',
  },
  'POST /v1/account': {
    kind: 'capability',
    why: 'sign-up takes no bearer token; usernames and emails are unique system-wide, so a 409 for one of A is expected',
  },
  'POST /v1/user/messages': {
    kind: 'count',
    field: 'removed',
    why: 'ids the caller cannot see are skipped (contract): 200 with removed 0 is the right answer',
  },
  'POST /v1/user/notification/read': {
    kind: 'ignored',
    why: "ids that are not the caller's are ignored (documented); refreshA's watched notifications must stay unread",
  },
  'GET /v1/user/messages': {
    kind: 'primary',
    names: ['roomId'],
    why: 'roomId selects the dojo; userId only filters its messages by author',
  },
};

export const crossRuleOf = (op: Operation): CrossRule => CROSS_RULES[op.key] ?? { kind: 'strict' };
