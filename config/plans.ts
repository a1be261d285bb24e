import { z } from 'zod';

export const PLAN_NAMES = ['FREE', 'M', 'Y'] as const;
export type PlanName = (typeof PLAN_NAMES)[number];
export const PAID_PLANS = ['M', 'Y'] as const;
export type PaidPlan = (typeof PAID_PLANS)[number];

/** What a plan buys; each limit is enforced where it bites (see server/modules/billing/README.md). */
export interface PlanLimits {
  /** Members of the tenant, the owner included. */
  readonly members: number;
  /** Whether dojos can be recorded. */
  readonly recording: boolean;
}

export interface Plan {
  readonly plan: PlanName;
  /** Integer minor units of `currency`; 0 for FREE. */
  readonly priceCents: number;
  /** ISO 4217, upper-case as shown to people (`USD`). */
  readonly currency: string;
  /** How long a payment buys; null for FREE, which never expires. */
  readonly period: 'month' | 'year' | null;
  readonly limits: PlanLimits;
}

const limits = z.strictObject({
  members: z.number().int().min(1).max(100_000),
  recording: z.boolean(),
});

const planSchema = z.strictObject({
  plan: z.enum(PLAN_NAMES),
  priceCents: z.number().int().min(0).max(100_000_000),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD'),
  period: z.enum(['month', 'year']).nullable(),
  limits,
});

/** FREE stays useful (a small team, every feature but recording); the paid plans add seats and recordings. */
export const DEFAULT_PLANS: readonly Plan[] = [
  { plan: 'FREE', priceCents: 0, currency: 'USD', period: null, limits: { members: 5, recording: false } },
  { plan: 'M', priceCents: 999, currency: 'USD', period: 'month', limits: { members: 50, recording: true } },
  { plan: 'Y', priceCents: 9990, currency: 'USD', period: 'year', limits: { members: 50, recording: true } },
];

/**
 * `BILLING_PLANS`: a JSON array of the three plans, replacing the defaults. FREE must cost nothing and never
 * expire; a paid plan must cost something and have a period.
 */
export const plansSchema = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array of plans' });
      return z.NEVER;
    }
  })
  .pipe(
    z
      .array(planSchema)
      .length(3)
      .refine((p) => new Set(p.map((x) => x.plan)).size === 3, 'must list FREE, M and Y once each')
      .refine(
        (p) => p.every((x) => (x.plan === 'FREE') === (x.priceCents === 0 && x.period === null)),
        'FREE must cost 0 with period null; M and Y must cost more than 0 and have a period',
      ),
  );
