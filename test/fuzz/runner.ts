/**
 * Runs the fuzzing: each operation's property (its cases, seeded per operation), each case sent four ways plus,
 * where it names tenant A's ids, a twin with random ids instead; every answer judged, the findings kept, the
 * world's bookkeeping done, and the statuses counted for the run's summary.
 */
import fc from 'fast-check';
import { bookkeeping } from './bookkeeping.ts';
import { caseArb } from './cases.ts';
import { crossRuleOf, type Finding } from './checks.ts';
import { keepFindings, type Exchange, type FindingRecord } from './findings.ts';
import { forgeGarbageTokens } from './garbage-tokens.ts';
import { existenceLeak, judge, namedRefs } from './judge.ts';
import { TWIN_KINDS, type Case, type GarbageToken } from './model.ts';
import { materialize, type Sent } from './request.ts';
import type { Operation } from './schema.ts';
import { twinVariant, variantsOf, type Variant } from './variants.ts';
import { send, type WireResult } from './wire.ts';
import type { World } from './world.ts';

export interface FuzzOptions {
  readonly seed: number;
  readonly numRuns: number;
  readonly replay: number | undefined;
  readonly shrink: boolean;
}

/** FNV-1a of the operation's key over the base seed: each operation's cases stay the same when others change. */
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
    this.garbageTokens = await forgeGarbageTokens(this.world);
  }

  /** Sends one request (every request of the run goes through here, so that it is counted). */
  async send(op: Operation, variant: Variant, sent: Sent): Promise<WireResult> {
    this.requests++;
    const result = await send(this.world.base, sent.wire);
    this.count(op.key, variant.mode, result.ok ? String(result.response.status) : 'no answer');
    return result;
  }

  keep(exchange: Exchange, findings: readonly Finding[]): void {
    keepFindings(this.findings, this.options.seed, exchange, findings);
  }

  private count(op: string, mode: string, status: string): void {
    let byMode = this.stats.get(op);
    if (!byMode) this.stats.set(op, (byMode = new Map()));
    let byStatus = byMode.get(mode);
    if (!byStatus) byMode.set(mode, (byStatus = new Map()));
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
  }

  /** Sends every variant of one case, judges the answers, does the bookkeeping; returns the findings. */
  async exercise(op: Operation, c: Case, run: number): Promise<Finding[]> {
    const { list, crossCaller } = await variantsOf(this.world, op, c, this.garbageTokens);
    const refs = namedRefs(c);
    const found: Finding[] = [];
    // The four variants go out at once; judging and bookkeeping follow in order, as the answers are all in.
    const outcomes = await Promise.all(
      list.map(async (variant) => {
        const sent = materialize(this.world, op, c, variant);
        const result = await this.send(op, variant, sent);
        return { variant, sent, result };
      }),
    );
    for (const { variant, sent, result } of outcomes) {
      const findings = judge(this.world, op, variant, sent, result, refs);
      this.keep({ op, label: c.label, token: variant.label, sent, result, run }, findings);
      found.push(...findings);
      await bookkeeping(this.world, op, variant, sent, result);
    }
    // The twin, after the cross variant's answer: only where the case names tenant A's ids that a random id
    // can stand in for, and not where the operation's own secret grants access (capability rules).
    const cross = outcomes.find((o) => o.variant.mode === 'cross');
    const twinRefs = refs.filter((r) => TWIN_KINDS.has(r.ref.kind));
    if (cross && crossRuleOf(op).kind !== 'capability' && twinRefs.length) {
      const variant = await twinVariant(this.world, op, crossCaller);
      const sent = materialize(this.world, op, c, variant);
      const result = await this.send(op, variant, sent);
      const findings = judge(this.world, op, variant, sent, result, refs);
      const leak = existenceLeak(cross.result, result, twinRefs);
      if (leak) findings.push(leak);
      this.keep({ op, label: c.label, token: variant.label, sent, result, run, pairedWith: cross }, findings);
      found.push(...findings);
      await bookkeeping(this.world, op, variant, sent, result);
    }
    return found;
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
