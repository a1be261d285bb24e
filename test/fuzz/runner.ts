/**
 * Sends each generated case four ways (no token, the right tenant's token, a garbage token, the other tenant's
 * token with tenant A's ids) plus, where the case names tenant A's ids, a twin with random ids instead; judges
 * every answer and keeps the findings, deduplicated by operation, status and reason.
 */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { SignJWT } from 'jose';
import { caseArb } from './cases.ts';
import { crossRuleOf, generalChecks, leakedMarker, parseJson, type Finding } from './checks.ts';
import {
  NAMING_KINDS,
  Ref,
  resolveTpl,
  TWIN_KINDS,
  type Case,
  type GarbageToken,
  type Part,
  type Tpl,
} from './model.ts';
import { refKindOf, type Operation } from './schema.ts';
import { pctEncode, preview } from './strings.ts';
import { send, type WireRequest, type WireResult } from './wire.ts';
import type { Account, Mode, World } from './world.ts';

export interface Variant {
  readonly mode: Mode;
  /** How reports name the token: `none`, `right (memberA)`, `garbage (alg-none)`, `cross (ownerB)`… */
  readonly label: string;
  readonly authorization: string | undefined;
  readonly caller: Account | undefined;
}

export interface Sent {
  readonly wire: WireRequest;
  /** Everything the request carried, as text: an echo of it in the answer is not a leak. */
  readonly text: string;
  /** The JSON body before any damage, for bookkeeping (new password, used refresh token…). */
  readonly value: unknown;
}

export interface FindingRecord {
  readonly op: string;
  readonly status: number | 'none';
  readonly reason: string;
  count: number;
  readonly example: {
    readonly detail: string;
    readonly token: string;
    readonly label: string;
    readonly request: string;
    readonly response: string;
    readonly repro: string;
  };
}

export interface FuzzOptions {
  readonly seed: number;
  readonly numRuns: number;
  readonly replay: number | undefined;
  readonly shrink: boolean;
}

/** Operations whose success ends the session the request carries: they get a fresh session per request. */
const SESSION_ENDING = new Set(['POST /v1/logout']);
/**
 * POST /v1/account/password ends every session of its account when it succeeds: it runs as accounts of its
 * own (pwA in tenant A, pwB in tenant B), whose password and token the bookkeeping follows.
 */
const PASSWORD_OP = 'POST /v1/account/password';
/** Answers to a caller without a token that legitimately name a tenant's ids (the credentials were right). */
const UNAUTHENTICATED_IDS_OK = new Set(['POST /v1/login']);

const hashSeed = (base: number, key: string): number => {
  let h = 0x811c9dc5 ^ base;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h | 0;
};

export class Fuzzer {
  readonly world: World;
  readonly options: FuzzOptions;
  requests = 0;
  readonly findings = new Map<string, FindingRecord>();
  /** op → mode → status → count. */
  readonly stats = new Map<string, Map<string, Map<string, number>>>();
  readonly runsDone = new Map<string, number>();
  readonly notes: string[] = [];
  private garbageTokens = new Map<GarbageToken, string>();

  constructor(world: World, options: FuzzOptions) {
    this.world = world;
    this.options = options;
  }

  seedOf(op: Operation): number {
    return hashSeed(this.options.seed, op.key);
  }

  /** The garbage Authorization headers, made once from real tokens. */
  async prepare(): Promise<void> {
    const { ownerA, ownerB } = this.world;
    const [headA = '', payloadA = '', sigA = ''] = ownerA.token.split('.');
    const [, , sigB = ''] = ownerB.token.split('.');
    const claims = JSON.parse(Buffer.from(payloadA, 'base64url').toString('utf8')) as Record<string, unknown>;
    const header = JSON.parse(Buffer.from(headA, 'base64url').toString('utf8')) as Record<string, unknown>;
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const tenantKey = Object.keys(claims).find((k) => claims[k] === ownerA.tenantId) ?? 'tid';
    const jwks = await this.world.api('GET', '/.well-known/jwks.json');
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    const hs = await new SignJWT(claims)
      .setProtectedHeader({ ...header, alg: 'HS256' } as { alg: string })
      .sign(new TextEncoder().encode(JSON.stringify((jwks.body.keys as unknown[] | undefined)?.[0] ?? {})));
    const entries: [GarbageToken, string][] = [
      ['word', 'Bearer garbage'],
      ['random', 'Bearer Zm9vYmFyYmF6cXV4LmZ1enoudG9rZW4tZ2FyYmFnZQ'],
      ['alg-none', `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${payloadA}.`],
      ['tampered-tenant', `Bearer ${headA}.${b64({ ...claims, [tenantKey]: ownerB.tenantId })}.${sigA}`],
      ['bad-signature', `Bearer ${headA}.${payloadA}.${flip(sigA)}`],
      ['foreign-signature', `Bearer ${headA}.${payloadA}.${sigB}`],
      ['basic', `Basic ${Buffer.from(`${ownerA.username}:${ownerA.password}`).toString('base64')}`],
      ['huge', `Bearer ${'a'.repeat(8000)}`],
      ['empty', 'Bearer '],
      ['refresh-as-access', `Bearer ${this.world.refreshTokens[0] ?? 'x'}`],
      ['hs256-confusion', `Bearer ${hs}`],
      ['four-part-jwt', `Bearer ${ownerA.token}.${sigA}`],
    ];
    this.garbageTokens = new Map(entries);
  }

  private count(op: string, mode: string, status: string): void {
    let byMode = this.stats.get(op);
    if (!byMode) this.stats.set(op, (byMode = new Map()));
    let byStatus = byMode.get(mode);
    if (!byStatus) byMode.set(mode, (byStatus = new Map()));
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
  }

  /** Builds the request of one variant of a case, Refs resolved for that variant. */
  materialize(op: Operation, c: Case, variant: Variant): Sent {
    const ctx = { mode: variant.mode, caller: variant.caller, mutating: op.method !== 'GET' };
    const resolve = (ref: Ref) => this.world.resolve(ref, ctx);
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

  private actorAccount(c: Case): Account {
    return c.actor === 'memberA' ? this.world.memberA : this.world.ownerA;
  }

  private async fresh(account: Account): Promise<Account> {
    const { token } = await this.world.login(account);
    return { ...account, token };
  }

  private async variants(op: Operation, c: Case): Promise<{ list: Variant[]; crossCaller: Account }> {
    const bearer = (a: Account) => `Bearer ${a.token}`;
    let right = op.key === PASSWORD_OP ? this.world.pwA : this.actorAccount(c);
    let cross = op.key === PASSWORD_OP ? this.world.pwB : this.world.ownerB;
    if (SESSION_ENDING.has(op.key))
      [right, cross] = await Promise.all([this.fresh(right), this.fresh(cross)]);
    return {
      crossCaller: cross,
      list: [
        { mode: 'none', label: 'none', authorization: undefined, caller: undefined },
        { mode: 'right', label: `right (${right.label})`, authorization: bearer(right), caller: right },
        {
          mode: 'garbage',
          label: `garbage (${c.garbage})`,
          authorization: this.garbageTokens.get(c.garbage),
          caller: undefined,
        },
        { mode: 'cross', label: `cross (${cross.label})`, authorization: bearer(cross), caller: cross },
      ],
    };
  }

  /** Sends every variant of one case, judges the answers, does the bookkeeping; returns the findings. */
  async exercise(op: Operation, c: Case, run: number): Promise<Finding[]> {
    const { list, crossCaller } = await this.variants(op, c);
    const refs = namedRefs(c);
    const found: Finding[] = [];
    const outcomes = await Promise.all(
      list.map(async (variant) => {
        const sent = this.materialize(op, c, variant);
        const result = await this.send(op, variant, sent);
        return { variant, sent, result };
      }),
    );
    for (const { variant, sent, result } of outcomes) {
      const findings = this.judge(op, c, variant, sent, result, refs);
      this.keep(op, c, variant, sent, result, findings, run);
      found.push(...findings);
      await this.bookkeeping(op, variant, sent, result);
    }
    const cross = outcomes.find((o) => o.variant.mode === 'cross');
    const rule = crossRuleOf(op);
    const twinRefs = refs.filter((r) => TWIN_KINDS.has(r.ref.kind));
    if (cross && rule.kind !== 'capability' && twinRefs.length) {
      const caller = SESSION_ENDING.has(op.key) ? await this.fresh(crossCaller) : crossCaller;
      const variant: Variant = {
        mode: 'twin',
        label: `twin (${caller.label}, random ids)`,
        authorization: `Bearer ${caller.token}`,
        caller,
      };
      const sent = this.materialize(op, c, variant);
      const result = await this.send(op, variant, sent);
      const findings = this.judge(op, c, variant, sent, result, refs);
      const a = cross.result;
      if (a.ok && result.ok && a.response.status !== 429 && result.response.status !== 429) {
        const codeOf = (text: string) => (parseJson(text) as { code?: unknown } | undefined)?.code;
        const sa = a.response.status;
        const sb = result.response.status;
        const onlyCursor = twinRefs.every((r) => r.ref.kind === 'cursor');
        const ca = sa >= 400 ? codeOf(a.response.text) : undefined;
        const cb = sb >= 400 ? codeOf(result.response.text) : undefined;
        if (sa !== sb || (!onlyCursor && ca !== cb)) {
          findings.push({
            reason: "answer differs for tenant A's ids and random ids (existence leak)",
            detail: `with A's ids: ${sa} ${String(ca ?? '')}; with random ids: ${sb} ${String(cb ?? '')}`,
          });
        }
      }
      this.keep(op, c, variant, sent, result, findings, run, cross);
      found.push(...findings);
      await this.bookkeeping(op, variant, sent, result);
    }
    return found;
  }

  private async send(op: Operation, variant: Variant, sent: Sent): Promise<WireResult> {
    this.requests++;
    const result = await send(this.world.base, sent.wire);
    this.count(op.key, variant.mode, result.ok ? String(result.response.status) : 'no answer');
    return result;
  }

  /** The contract's rules for one answer. */
  judge(
    op: Operation,
    _c: Case,
    variant: Variant,
    sent: Sent,
    result: WireResult,
    refs: readonly { name: string; ref: Ref }[],
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
    if (op.key === 'GET /metrics') {
      // Metrics are the same for every caller: one rule for them instead of the per-caller ones below.
      const id = leakedMarker(res.text, this.world.tenantAndUserIds, sent.text);
      if (id) out.push({ reason: 'tenant or user id in /metrics', detail: id });
    } else if (mode === 'cross' || mode === 'twin') {
      const m = leakedMarker(res.text, this.world.markersA, sent.text);
      if (m)
        out.push({
          reason: "tenant A's data in an answer to tenant B",
          detail: `${m} in ${preview(res.text, 300)}`,
        });
    } else if (mode === 'none' || mode === 'garbage') {
      if (!UNAUTHENTICATED_IDS_OK.has(op.key)) {
        const m =
          leakedMarker(res.text, this.world.markersA, sent.text) ??
          leakedMarker(res.text, this.world.markersB, sent.text);
        if (m)
          out.push({
            reason: 'tenant data in an answer without a valid token',
            detail: `${m} in ${preview(res.text, 300)}`,
          });
      }
    } else if (mode === 'right') {
      const m = leakedMarker(res.text, this.world.markersB, sent.text);
      if (m)
        out.push({
          reason: "tenant B's data in an answer to tenant A",
          detail: `${m} in ${preview(res.text, 300)}`,
        });
    }
    if (mode === 'cross' && ok) {
      const naming = refs.filter((r) => NAMING_KINDS.has(r.ref.kind));
      const rule = crossRuleOf(op);
      const names = naming.map((r) => `${r.name}=<A ${r.ref.kind}>`).join(', ');
      if (rule.kind === 'strict' && naming.length) {
        out.push({
          reason: "cross-tenant success: tenant B's request naming tenant A's resource got 2xx",
          detail: names,
        });
      } else if (rule.kind === 'count' && naming.length) {
        const n = (parseJson(res.text) as Record<string, unknown> | undefined)?.[rule.field];
        if (n !== 0)
          out.push({ reason: `cross-tenant success: ${rule.field} is ${String(n)}, not 0`, detail: names });
      } else if (rule.kind === 'primary') {
        const primary = naming.filter((r) => rule.names.includes(r.name));
        if (primary.length) {
          out.push({
            reason: "cross-tenant success: tenant B's request naming tenant A's resource got 2xx",
            detail: primary.map((r) => `${r.name}=<A ${r.ref.kind}>`).join(', '),
          });
        }
      }
    }
    return out;
  }

  private keep(
    op: Operation,
    c: Case,
    variant: Variant,
    sent: Sent,
    result: WireResult,
    findings: readonly Finding[],
    run: number,
    pairedWith?: { sent: Sent; result: WireResult },
  ): void {
    for (const f of findings) {
      const status = result.ok ? result.response.status : 'none';
      const key = `${op.key} | ${status} | ${f.reason}`;
      const existing = this.findings.get(key);
      if (existing) {
        existing.count++;
        continue;
      }
      const request =
        describeRequest(sent.wire, variant) +
        (pairedWith
          ? `\n  -- the same with tenant A's ids:\n${describeRequest(pairedWith.sent.wire, { label: 'cross' })}`
          : '');
      this.findings.set(key, {
        op: op.key,
        status,
        reason: f.reason,
        count: 1,
        example: {
          detail: preview(f.detail, 400),
          token: variant.label,
          label: c.label,
          request,
          response: result.ok
            ? `${result.response.status} ${preview(result.response.text, 300)}`
            : result.error,
          repro:
            op.key.startsWith('(') || c.label === 'method-sweep'
              ? 'part of every full run (no FUZZ_OPS): node scripts/run-tests.ts test/fuzz'
              : `FUZZ_SEED=${this.options.seed} FUZZ_OPS='${op.key}' FUZZ_REPLAY=${run} node scripts/run-tests.ts test/fuzz`,
        },
      });
    }
  }

  /** Keeps the world usable: expendable resources replaced, rotated secrets followed. */
  private async bookkeeping(op: Operation, variant: Variant, sent: Sent, result: WireResult): Promise<void> {
    if (!result.ok) return;
    const { status, text } = result.response;
    if (status < 200 || status >= 300) return;
    const w = this.world;
    const caller = variant.caller;
    const body = parseJson(text) as Record<string, unknown> | undefined;
    if (op.key === 'DELETE /v1/pocs/{id}' && caller) {
      for (const [label, pocs] of w.pocs) {
        const i = pocs.fodder.findIndex((id) => sent.wire.path.toLowerCase().includes(id));
        const owner = [w.ownerA, w.memberA, w.ownerB].find((a) => a.label === label);
        if (i >= 0 && owner) pocs.fodder[i] = await w.createPoc(owner);
      }
    }
    if (op.key === 'POST /v1/user/messages' && typeof body?.removed === 'number' && body.removed > 0) {
      for (const m of w.fodderMessages) {
        if (sent.text.includes(m.id)) m.id = await w.writeMessage(w.dojosA[0] as string, m.author);
      }
    }
    if (op.key === PASSWORD_OP && caller) {
      const account = [w.pwA, w.pwB].find((a) => a.label === caller.label);
      const next = (sent.value as { newPassword?: unknown } | undefined)?.newPassword;
      if (account && typeof next === 'string') {
        account.password = next;
        await w.relogin(account);
      }
    }
    if (op.key === 'POST /v1/oauth/token' && typeof body?.refresh_token === 'string') {
      const i = w.refreshTokens.findIndex((t) => sent.text.includes(t));
      if (i >= 0) w.refreshTokens[i] = body.refresh_token;
    }
    if (op.key === 'POST /v1/user/picture' && caller && typeof body?.picture === 'string') {
      const id = /picture\/([A-Za-z0-9_-]{22})/.exec(body.picture)?.[1];
      if (id) w.pictureIds.set(caller.userId, id);
    }
  }

  /**
   * Every path with the methods the document does not list for it (405 with Allow is the expected answer;
   * whatever it is, it obeys the general rules and is never a 2xx).
   */
  async methodSweep(ops: readonly Operation[]): Promise<void> {
    const byPath = new Map<string, Operation[]>();
    for (const op of ops) byPath.set(op.path, [...(byPath.get(op.path) ?? []), op]);
    for (const [path, documented] of byPath) {
      const params = documented[0]?.pathParams ?? [];
      const filled = path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
        const kind = params.find((p) => p.name === name) ? refKindOf(name) : 'anyId';
        return this.world.resolve(new Ref(kind, 0), {
          mode: 'right',
          caller: this.world.ownerA,
          mutating: false,
        });
      });
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
        if (documented.some((op) => op.method === method)) continue;
        const op: Operation = {
          ...(documented[0] as Operation),
          key: `${method} ${path}`,
          method,
          responses: {},
        };
        for (const variant of [
          { mode: 'none' as const, label: 'none', authorization: undefined, caller: undefined },
          {
            mode: 'right' as const,
            label: 'right (ownerA)',
            authorization: `Bearer ${this.world.ownerA.token}`,
            caller: this.world.ownerA,
          },
        ]) {
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          if (variant.authorization) headers.authorization = variant.authorization;
          const wire: WireRequest = { method, path: filled, headers, body: Buffer.from('{}') };
          const sent: Sent = { wire, value: {}, text: `${filled}\n{}` };
          const result = await this.send(op, variant, sent);
          const findings = generalChecks(op, result, sent.text);
          if (result.ok && result.response.status < 300) {
            findings.push({
              reason: 'a method the document does not list answered 2xx',
              detail: preview(result.response.text, 200),
            });
          }
          this.keep(op, { label: 'method-sweep' } as Case, variant, sent, result, findings, 0);
        }
      }
    }
  }

  /**
   * Requests the HTTP parser refuses before the application sees them (a request line or headers over Node's
   * 16 KB limit): their 4xx answers are held to the same problem+json rule as the application's.
   */
  async transportProbes(): Promise<void> {
    const op: Operation = {
      key: '(transport) GET /v1/pocs',
      method: 'GET',
      path: '/v1/pocs',
      auth: true,
      pathParams: [],
      queryParams: [],
      body: undefined,
      responses: {},
    };
    const variant: Variant = {
      mode: 'right',
      label: 'right (ownerA)',
      authorization: `Bearer ${this.world.ownerA.token}`,
      caller: this.world.ownerA,
    };
    const probes: [string, WireRequest][] = [
      [
        'request line over 16 KB',
        {
          method: 'GET',
          path: `/v1/pocs?name=${'a'.repeat(20_000)}`,
          headers: { authorization: variant.authorization ?? '' },
        },
      ],
      [
        'a header over 16 KB',
        {
          method: 'GET',
          path: '/v1/pocs',
          headers: { authorization: variant.authorization ?? '', 'x-fuzz': 'a'.repeat(20_000) },
        },
      ],
    ];
    for (const [label, wire] of probes) {
      const sent: Sent = { wire, value: undefined, text: wire.path };
      const result = await this.send(op, variant, sent);
      this.keep(op, { label } as Case, variant, sent, result, generalChecks(op, result, sent.text), 0);
    }
  }

  /** Runs the operation's property: numRuns cases (or one replayed run), seeded per operation. */
  async runOperation(op: Operation): Promise<void> {
    const { numRuns, replay, shrink } = this.options;
    let run = replay ?? 0;
    const property = fc.asyncProperty(caseArb(op), async (c) => {
      const index = run++;
      const found = await this.exercise(op, c, index);
      this.runsDone.set(op.key, (this.runsDone.get(op.key) ?? 0) + 1);
      if (shrink && found.length) {
        throw new Error(found.map((f) => `${f.reason}: ${f.detail}`).join('\n'));
      }
    });
    try {
      await fc.assert(property, {
        seed: this.seedOf(op),
        numRuns: replay === undefined ? numRuns : 1,
        ...(replay === undefined ? {} : { path: String(replay) }),
        endOnFailure: !shrink,
      });
    } catch (error) {
      if (!shrink) throw error;
      this.notes.push(`${op.key} (seed ${this.seedOf(op)}): ${(error as Error).message}`);
    }
  }
}

/** Refs of a case with the name of the parameter, query key or top-level body field that carries each. */
export function namedRefs(c: Case): { name: string; ref: Ref }[] {
  const out: { name: string; ref: Ref }[] = [];
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

/** Transforms after which the body no longer says what its value says. */
const damages = (t: { t: string } | undefined) =>
  t !== undefined && ['truncate', 'single-quotes', 'invalid-utf8'].includes(t.t);

function encodeBody(value: unknown, transform: Extract<Case['body'], { kind: 'json' }>['transform']): Buffer {
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

/** The request as a report shows it: request line, headers (tokens named, not printed), body. */
export function describeRequest(wire: WireRequest, variant: { label: string }): string {
  const lines = [`  ${wire.method} ${preview(wire.path, 300)}`];
  for (const [k, v] of Object.entries(wire.headers)) {
    const value =
      k === 'authorization' ? `<${variant.label}> ${preview(String(v), 60)}` : preview(String(v), 120);
    lines.push(`  ${k}: ${value}`);
  }
  if (wire.body)
    lines.push(`  body (${wire.body.length} bytes): ${preview(wire.body.toString('utf8'), 500)}`);
  return lines.join('\n');
}
