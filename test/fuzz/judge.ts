/**
 * The rules one answer is held to beyond the general ones of `checks.ts`, by the variant that got it: no tenant
 * data where the caller may not see it, no success without a valid token or across tenants, no body over the
 * limit accepted; and the twin rule, which compares tenant B's answer for tenant A's ids with the twin's.
 */
import { crossRuleOf, generalChecks, leakedMarker, parseJson, type Finding } from './checks.ts';
import { NAMING_KINDS, Ref, type Case, type Tpl } from './model.ts';
import type { Sent } from './request.ts';
import type { Operation } from './schema.ts';
import { preview } from './strings.ts';
import type { Variant } from './variants.ts';
import type { WireResult } from './wire.ts';
import type { World } from './world.ts';

/** A Ref of a case and the parameter, query key or top-level body field that carries it. */
export interface NamedRef {
  readonly name: string;
  readonly ref: Ref;
}

/** What judging needs of the world: the markers of each tenant and every user and tenant id. */
export type Markers = Pick<World, 'markersA' | 'markersB' | 'tenantAndUserIds'>;

/** Answers to a caller without a token that legitimately name a tenant's ids (the credentials were right). */
const UNAUTHENTICATED_IDS_OK = new Set(['POST /v1/login']);

const CROSS_SUCCESS = "cross-tenant success: tenant B's request naming tenant A's resource got 2xx";

/** The contract's rules for one answer. */
export function judge(
  world: Markers,
  op: Operation,
  variant: Variant,
  sent: Sent,
  result: WireResult,
  refs: readonly NamedRef[],
): Finding[] {
  const out = generalChecks(op, result, sent.text);
  if (!result.ok) return out;
  const res = result.response;
  const ok = res.status >= 200 && res.status < 300;
  const { mode } = variant;
  // "Request bodies over 1 MiB are refused (the picture endpoint allows its own limit)."
  const size = sent.wire.body?.length ?? 0;
  if (ok && op.body && size > 1024 * 1024 && op.key !== 'POST /v1/user/picture') {
    out.push({ reason: 'a body over 1 MiB was accepted', detail: `${size} bytes` });
  }
  if (op.auth && (mode === 'none' || mode === 'garbage') && ok) {
    out.push({ reason: 'success without a valid token', detail: preview(res.text, 200) });
  }
  out.push(...leaks(world, op, variant, sent, res.text));
  if (mode === 'cross' && ok) out.push(...crossSuccess(op, res.text, refs));
  return out;
}

/** Markers in the answer that its caller may not see (none of them echoed from the request). */
function leaks(world: Markers, op: Operation, { mode }: Variant, sent: Sent, text: string): Finding[] {
  const found = (reason: string, marker: string | undefined): Finding[] =>
    marker ? [{ reason, detail: `${marker} in ${preview(text, 300)}` }] : [];
  if (op.key === 'GET /metrics') {
    // Metrics are the same for every caller: one rule for them instead of the per-caller ones below.
    const id = leakedMarker(text, world.tenantAndUserIds, sent.text);
    return id ? [{ reason: 'tenant or user id in /metrics', detail: id }] : [];
  }
  if (mode === 'cross' || mode === 'twin') {
    return found("tenant A's data in an answer to tenant B", leakedMarker(text, world.markersA, sent.text));
  }
  if (mode === 'none' || mode === 'garbage') {
    if (UNAUTHENTICATED_IDS_OK.has(op.key)) return [];
    return found(
      'tenant data in an answer without a valid token',
      leakedMarker(text, world.markersA, sent.text) ?? leakedMarker(text, world.markersB, sent.text),
    );
  }
  if (mode === 'right') {
    return found("tenant B's data in an answer to tenant A", leakedMarker(text, world.markersB, sent.text));
  }
  return [];
}

/** A 2xx to tenant B's request naming tenant A's resources, judged by the operation's cross rule. */
function crossSuccess(op: Operation, text: string, refs: readonly NamedRef[]): Finding[] {
  const naming = refs.filter((r) => NAMING_KINDS.has(r.ref.kind));
  const rule = crossRuleOf(op);
  const names = naming.map((r) => `${r.name}=<A ${r.ref.kind}>`).join(', ');
  if (rule.kind === 'strict' && naming.length) return [{ reason: CROSS_SUCCESS, detail: names }];
  if (rule.kind === 'count' && naming.length) {
    const n = (parseJson(text) as Record<string, unknown> | undefined)?.[rule.field];
    return n !== 0
      ? [{ reason: `cross-tenant success: ${rule.field} is ${String(n)}, not 0`, detail: names }]
      : [];
  }
  if (rule.kind === 'primary') {
    const primary = naming.filter((r) => rule.names.includes(r.name));
    if (primary.length)
      return [
        { reason: CROSS_SUCCESS, detail: primary.map((r) => `${r.name}=<A ${r.ref.kind}>`).join(', ') },
      ];
  }
  return [];
}

/**
 * The twin rule: tenant B's answer for tenant A's ids and for random ids must not differ (status, and the
 * problem's code), or it tells B which of A's ids exist. When the only ids are cursors, only the status is
 * compared: a random cursor is not one the server could have issued, so its problem code may rightly differ.
 * Throttled answers (429) say nothing about the ids and are not compared.
 */
export function existenceLeak(
  cross: WireResult,
  twin: WireResult,
  twinRefs: readonly NamedRef[],
): Finding | undefined {
  if (!cross.ok || !twin.ok || cross.response.status === 429 || twin.response.status === 429)
    return undefined;
  const codeOf = (text: string) => (parseJson(text) as { code?: unknown } | undefined)?.code;
  const sa = cross.response.status;
  const sb = twin.response.status;
  const onlyCursor = twinRefs.every((r) => r.ref.kind === 'cursor');
  const ca = sa >= 400 ? codeOf(cross.response.text) : undefined;
  const cb = sb >= 400 ? codeOf(twin.response.text) : undefined;
  if (sa === sb && (onlyCursor || ca === cb)) return undefined;
  return {
    reason: "answer differs for tenant A's ids and random ids (existence leak)",
    detail: `with A's ids: ${sa} ${String(ca ?? '')}; with random ids: ${sb} ${String(cb ?? '')}`,
  };
}

/** Refs of a case with the name of the parameter, query key or top-level body field that carries each. */
export function namedRefs(c: Case): NamedRef[] {
  const out: NamedRef[] = [];
  const walk = (name: string, t: Tpl): void => {
    if (t instanceof Ref) out.push({ name, ref: t });
    else if (Array.isArray(t)) t.forEach((x: Tpl) => walk(name, x));
    else if (t !== null && typeof t === 'object') for (const [k, v] of Object.entries(t)) walk(name || k, v);
  };
  for (const [name, p] of Object.entries(c.params)) if ('tpl' in p) walk(name, p.tpl);
  if ('entries' in c.query) for (const [name, p] of c.query.entries) if ('tpl' in p) walk(name, p.tpl);
  if (c.body.kind === 'json' && !damages(c.body.transform)) walk('', c.body.value);
  return out;
}

/** Transforms after which the body no longer says what its value says (its ids name nothing to judge). */
const damages = (t: { t: string } | undefined) =>
  t !== undefined && ['truncate', 'single-quotes', 'invalid-utf8'].includes(t.t);
