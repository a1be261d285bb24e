/**
 * What the generators produce: a request case whose ids are symbolic references (`Ref`), resolved against the
 * world only when a variant (no token, the right tenant, a garbage token, the other tenant) is sent.
 */

/** The kinds of values a case can refer to; each resolves to something real of tenant A. */
export type RefKind =
  | 'userId'
  | 'tenantId'
  | 'pocId'
  | 'dojoId'
  | 'messageId'
  | 'notificationId'
  | 'anyId'
  | 'username'
  | 'email'
  | 'cursor'
  | 'pictureId'
  | 'refreshToken'
  | 'confirmToken'
  | 'invitationToken'
  | 'password'
  | 'currentPassword'
  | 'image';

/** Refs that name one of tenant A's resources: tenant B must never succeed with them. */
export const NAMING_KINDS: ReadonlySet<RefKind> = new Set([
  'userId',
  'tenantId',
  'pocId',
  'dojoId',
  'messageId',
  'notificationId',
  'anyId',
  'username',
  'cursor',
]);

/** Refs whose answer must not depend on whether the id exists in another tenant (compared with a random twin). */
export const TWIN_KINDS: ReadonlySet<RefKind> = new Set([
  'userId',
  'tenantId',
  'pocId',
  'dojoId',
  'messageId',
  'notificationId',
  'anyId',
  'cursor',
]);

/** How a resolved value is altered before it is sent (e.g. an upper-cased id). */
export type Twist = 'upper' | 'braces' | 'suffix' | 'prefix' | 'space';

export class Ref {
  readonly kind: RefKind;
  readonly pick: number;
  readonly twist: Twist | undefined;
  constructor(kind: RefKind, pick: number, twist?: Twist) {
    this.kind = kind;
    this.pick = pick;
    this.twist = twist;
  }
  toJSON(): string {
    return `<${this.kind}#${this.pick}${this.twist ? `:${this.twist}` : ''}>`;
  }
}

export type Tpl = null | boolean | number | string | Ref | readonly Tpl[] | { readonly [key: string]: Tpl };

/** A path parameter or query value: a template (percent-encoded when sent) or raw text sent as is. */
export type Part = { readonly tpl: Tpl } | { readonly raw: string };

export type Query = { readonly entries: readonly (readonly [string, Part])[] } | { readonly raw: string };

/** How the JSON text of a body is damaged before it is sent. */
export type Transform =
  | { readonly t: 'truncate'; readonly at: number }
  | { readonly t: 'append'; readonly text: string }
  | { readonly t: 'prepend'; readonly text: string }
  | { readonly t: 'single-quotes' }
  | { readonly t: 'trailing-comma' }
  | { readonly t: 'duplicate-key' }
  | { readonly t: 'deep'; readonly key: string; readonly depth: number; readonly style: 'array' | 'object' }
  | { readonly t: 'invalid-utf8'; readonly bytes: readonly number[] }
  | { readonly t: 'form' }
  | { readonly t: 'multipart' }
  | { readonly t: 'gzip' };

export type Body =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'json';
      readonly value: Tpl;
      /** null: no Content-Type header at all. */
      readonly contentType: string | null;
      readonly transform?: Transform;
    }
  | { readonly kind: 'raw'; readonly text: string; readonly contentType: string | null };

export type Actor = 'ownerA' | 'memberA';

export type GarbageToken =
  | 'word'
  | 'random'
  | 'alg-none'
  | 'tampered-tenant'
  | 'bad-signature'
  | 'foreign-signature'
  | 'basic'
  | 'huge'
  | 'empty'
  | 'refresh-as-access'
  | 'hs256-confusion'
  | 'four-part-jwt';

export interface Case {
  /** What kind of input this is: `valid`, or the mutation applied (for reports and statistics). */
  readonly label: string;
  readonly actor: Actor;
  readonly garbage: GarbageToken;
  readonly params: Readonly<Record<string, Part>>;
  readonly query: Query;
  readonly body: Body;
  readonly headers: Readonly<Record<string, string>>;
}

/** Every Ref in a case (path, query and body), for the cross-tenant rules. */
export function refsOf(c: Case): Ref[] {
  const found: Ref[] = [];
  const walk = (t: Tpl): void => {
    if (t instanceof Ref) found.push(t);
    else if (Array.isArray(t)) t.forEach(walk);
    else if (t !== null && typeof t === 'object') Object.values(t).forEach(walk);
  };
  const part = (p: Part) => {
    if ('tpl' in p) walk(p.tpl);
  };
  Object.values(c.params).forEach(part);
  if ('entries' in c.query) c.query.entries.forEach(([, p]) => part(p));
  if (c.body.kind === 'json') walk(c.body.value);
  return found;
}

/** Replaces every Ref by what `resolve` says. */
export function resolveTpl(t: Tpl, resolve: (ref: Ref) => string): unknown {
  if (t instanceof Ref) return resolve(t);
  if (Array.isArray(t)) return t.map((x) => resolveTpl(x, resolve));
  if (t !== null && typeof t === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(t)) {
      // defineProperty keeps keys such as __proto__ as own properties, so they reach the JSON text.
      Object.defineProperty(out, k, { value: resolveTpl(v, resolve), enumerable: true, writable: true });
    }
    return out;
  }
  return t;
}

export function applyTwist(value: string, twist: Twist | undefined): string {
  switch (twist) {
    case 'upper':
      return value.toUpperCase();
    case 'braces':
      return `{${value}}`;
    case 'suffix':
      return `${value}x`;
    case 'prefix':
      return `0${value}`;
    case 'space':
      return ` ${value} `;
    default:
      return value;
  }
}
