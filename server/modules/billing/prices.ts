import type { PaidPlan, Plan, PlanName } from '../../../config/plans.ts';
import { invalid } from '../../lib/errors.ts';

export type PaidPlanDef = Plan & { readonly plan: PaidPlan; readonly period: 'month' | 'year' };

/** The digits after the point of a currency's major unit (2 for USD, 0 for JPY), as ISO 4217 says. */
export function minorDigits(currency: string): number {
  return (
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2
  );
}

/**
 * The server's price list (from configuration): what a plan costs and buys. A client's `total` is
 * checked against it, never trusted.
 */
export class PriceList {
  readonly #plans: ReadonlyMap<PlanName, Plan>;

  constructor(plans: readonly Plan[]) {
    this.#plans = new Map(plans.map((p) => [p.plan, p]));
    for (const name of ['FREE', 'M', 'Y'] as const)
      if (!this.#plans.has(name)) throw new Error(`no plan ${name}`);
  }

  all(): Plan[] {
    return [...this.#plans.values()];
  }

  plan(name: PlanName): Plan {
    return this.#plans.get(name) as Plan;
  }

  paid(name: PaidPlan): PaidPlanDef {
    return this.plan(name) as PaidPlanDef;
  }

  /**
   * The plan's price in minor units when `total` (major units, as clients send it) is exactly that price;
   * otherwise a 400 naming `total`. Binary floats are compared after rounding to the currency's digits, and a
   * figure with more digits than the currency has (9.991) is refused rather than rounded.
   */
  checkTotal(name: PaidPlan, total: number): number {
    const plan = this.paid(name);
    const scale = 10 ** minorDigits(plan.currency);
    const minor = Math.round(total * scale);
    const exact = Math.abs(total * scale - minor) < 1e-6;
    if (!exact || minor !== plan.priceCents) {
      const price = (plan.priceCents / scale).toFixed(minorDigits(plan.currency));
      throw invalid('BILLING.TOTAL_MISMATCH', `The total does not match the price of plan ${name}.`, [
        { path: 'total', message: `Must be ${price} (${plan.currency}), the price of plan ${name}` },
      ]);
    }
    return minor;
  }
}

/**
 * `from` plus one period, in UTC, keeping the day of the month where it exists and clamping it where it
 * does not (Jan 31 + 1 month is Feb 28 or 29), as card subscriptions do.
 */
export function addPeriod(from: Date, period: 'month' | 'year'): Date {
  const d = new Date(from.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  if (period === 'month') d.setUTCMonth(d.getUTCMonth() + 1);
  else d.setUTCFullYear(d.getUTCFullYear() + 1);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}
