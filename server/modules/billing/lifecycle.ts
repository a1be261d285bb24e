import { createHash } from 'node:crypto';
import type { PaidPlan } from '../../../config/plans.ts';
import type { Scheduler } from '../../capabilities.ts';
import { isAppError } from '../../lib/errors.ts';
import type { Logger } from '../../lib/log.ts';
import type { ChargeOutcome, PaymentGateway } from '../../ports/payments.ts';
import type { BillingNotices } from './notices.ts';
import type { PriceList } from './prices.ts';
import type { PaymentsRepo } from './repo.ts';
import { freeSubscription, withApplied, type Subscription, type SubscriptionsRepo } from './subscriptions.ts';

export const LIFECYCLE_TOPIC = 'billing.lifecycle';
const HOUR = 3600_000;
const DAY = 24 * HOUR;

export interface LifecycleTiming {
  /** How long before expiry an auto-renewing subscription is charged (default 1 day). */
  readonly renewLeadMs: number;
  /** How long before expiry a subscription that does not renew warns (default 3 days). */
  readonly expiringNoticeMs: number;
  /** How long after expiry a subscription whose renewal failed keeps its plan, PAST_DUE (default 7 days). */
  readonly graceMs: number;
  /** Waits between failed renewals, from the first failure; the last repeats (default 1 h, 6 h, 1 d, 2 d). */
  readonly retryDelaysMs: readonly number[];
  /** When the gateway's answer is unknown (down, timed out): when to ask again (default 5 min). */
  readonly gatewayRetryMs: number;
}

export const DEFAULT_TIMING: LifecycleTiming = {
  renewLeadMs: DAY,
  expiringNoticeMs: 3 * DAY,
  graceMs: 7 * DAY,
  retryDelaysMs: [HOUR, 6 * HOUR, DAY, 2 * DAY],
  gatewayRetryMs: 5 * 60_000,
};

export interface AppliedPayment {
  readonly paymentId: string;
  readonly plan: PaidPlan;
  readonly gateway: string;
  readonly method: string | null;
  readonly autoRenew?: boolean | undefined;
  /** A renewal extends the period it renews, even when charged late (in the grace period). */
  readonly renewal: boolean;
}

export interface LifecycleOptions {
  readonly prices: PriceList;
  readonly gateways: ReadonlyMap<string, PaymentGateway>;
  readonly payments: PaymentsRepo;
  readonly subscriptions: SubscriptionsRepo;
  readonly notices: BillingNotices;
  readonly scheduler: () => Scheduler;
  readonly logger: Logger;
  readonly now: () => Date;
  readonly timing: LifecycleTiming;
  /** The end of a period that starts at `from` (the calendar's; simulations shorten it). */
  readonly periodEnd: (from: Date, period: 'month' | 'year') => Date;
}

/** A uuid that is the same for the same words: one renewal attempt always has one payment id. */
function stableUuid(words: string): string {
  const h = createHash('sha256').update(words).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16] ?? '0', 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * A subscription's life after a payment: one scheduled task per tenant (`billing:<tenantId>`) wakes it when
 * something is due (renew, retry, warn, downgrade). The task carries nothing but the tenant: every wake
 * reads the subscription and decides from it and the clock, so a task delivered twice, late, or for a state
 * that has changed since does the right thing, and each step writes with a lightweight transaction.
 */
export class Lifecycle {
  readonly #o: LifecycleOptions;

  constructor(options: LifecycleOptions) {
    this.#o = options;
  }

  /** When a lapsed subscription stops buying its plan. */
  deadline(s: Subscription): Date | undefined {
    if (s.plan === 'FREE' || !s.expiresAt) return undefined;
    const renews = s.status === 'PAST_DUE' || (s.autoRenew && s.method !== null);
    return new Date(s.expiresAt.getTime() + (renews ? this.#o.timing.graceMs : 0));
  }

  async applyPayment(tenantId: string, p: AppliedPayment): Promise<Subscription> {
    const now = this.#o.now();
    const plan = this.#o.prices.paid(p.plan);
    const { after } = await this.#o.subscriptions.mutate(tenantId, (cur) => {
      if (cur.applied.includes(p.paymentId)) return undefined;
      const paid = cur.plan !== 'FREE' && cur.expiresAt !== null;
      const base = paid && (p.renewal || (cur.expiresAt as Date) > now) ? (cur.expiresAt as Date) : now;
      return {
        plan: p.plan,
        status: 'ACTIVE',
        expiresAt: this.#o.periodEnd(base, plan.period),
        autoRenew: p.autoRenew ?? (cur.plan === 'FREE' ? false : cur.autoRenew),
        gateway: p.gateway,
        method: p.method ?? (cur.gateway === p.gateway ? cur.method : null),
        renewAttempt: 0,
        pastDueSince: null,
        applied: withApplied(cur, p.paymentId),
      };
    });
    // Also when it was applied before: a retry after a crash heals a lost notice or schedule.
    const expiresAt = after.expiresAt ?? now;
    await this.#o.notices.paymentSucceeded(tenantId, p.paymentId, plan, expiresAt);
    if (p.renewal) await this.#o.notices.renewed(tenantId, p.paymentId, plan, expiresAt);
    await this.scheduleNext(after);
    return after;
  }

  async setAutoRenew(tenantId: string, autoRenew: boolean): Promise<Subscription> {
    const { after } = await this.#o.subscriptions.mutate(tenantId, (cur) =>
      cur.plan === 'FREE' || cur.autoRenew === autoRenew ? undefined : { ...cur, autoRenew },
    );
    await this.scheduleNext(after);
    return after;
  }

  /** Schedules the subscription's next wake (now, when it is already due); FREE has none. */
  async scheduleNext(s: Subscription, at?: Date): Promise<void> {
    const id = `billing:${s.tenantId}`;
    const wake = at ?? this.#wakeAt(s);
    if (!wake) return this.#o.scheduler().cancel(id);
    await this.#o
      .scheduler()
      .schedule({ id, topic: LIFECYCLE_TOPIC, payload: { tenantId: s.tenantId }, runAt: wake });
  }

  #wakeAt(s: Subscription): Date | undefined {
    const deadline = this.deadline(s);
    if (!deadline || !s.expiresAt) return undefined;
    const t = this.#o.timing;
    if (s.status === 'PAST_DUE') {
      const retry = s.autoRenew && s.method ? this.#retryAt(s) : deadline;
      return retry < deadline ? retry : deadline;
    }
    const exp = s.expiresAt.getTime();
    return new Date(exp - (s.autoRenew && s.method ? t.renewLeadMs : t.expiringNoticeMs));
  }

  #retryAt(s: Subscription): Date {
    const delays = this.#o.timing.retryDelaysMs;
    let wait = 0;
    for (let i = 0; i < s.renewAttempt; i++) wait += delays[Math.min(i, delays.length - 1)] ?? DAY;
    return new Date((s.pastDueSince ?? this.#o.now()).getTime() + wait);
  }

  /** A scheduled wake: does what is due now, then schedules the next one. */
  async advance(tenantId: string): Promise<void> {
    const now = this.#o.now();
    const s = await this.#o.subscriptions.get(tenantId);
    const deadline = this.deadline(s);
    if (!deadline || !s.expiresAt) return;
    if (now >= deadline) return this.#downgrade(s);
    const renews = s.autoRenew && s.method !== null;
    const t = this.#o.timing;
    if (renews) {
      const due =
        s.status === 'PAST_DUE' ? this.#retryAt(s) : new Date(s.expiresAt.getTime() - t.renewLeadMs);
      if (now >= due) return this.#renew(s);
    } else if (s.status === 'ACTIVE' && now.getTime() >= s.expiresAt.getTime() - t.expiringNoticeMs) {
      await this.#o.notices.expiring(tenantId, this.#o.prices.paid(s.plan as PaidPlan), s.expiresAt);
      return this.scheduleNext(s, s.expiresAt);
    }
    return this.scheduleNext(s);
  }

  async #renew(s: Subscription): Promise<void> {
    const o = this.#o;
    const plan = o.prices.paid(s.plan as PaidPlan);
    const period = (s.expiresAt as Date).getTime();
    const paymentId = stableUuid(`renew:${s.tenantId}:${period}:${s.renewAttempt}`);
    const gateway = s.gateway ? o.gateways.get(s.gateway) : undefined;
    let outcome: ChargeOutcome;
    if (!gateway || !s.method) {
      outcome = {
        status: 'declined',
        code: 'gateway_not_configured',
        message: 'The gateway is not configured.',
      };
    } else {
      try {
        outcome = await gateway.charge({
          idempotencyKey: `dojo-renew-${s.tenantId}-${period}-${s.renewAttempt}`,
          amountCents: plan.priceCents,
          currency: plan.currency.toLowerCase(),
          source: { method: s.method },
          offSession: true,
          description: `Dojo plan ${plan.plan} (${plan.period}), renewal`,
          metadata: { tenantId: s.tenantId, paymentId, plan: plan.plan },
        });
      } catch (error) {
        if (!isAppError(error) || error.kind !== 'INVALID') {
          o.logger.warn({ err: error }, 'renewal charge outcome unknown; asking again later');
          return this.scheduleNext(s, new Date(o.now().getTime() + o.timing.gatewayRetryMs));
        }
        outcome = { status: 'declined', code: 'invalid_method', message: error.message };
      }
    }
    const created = await o.payments.placeOf(s.tenantId, paymentId, o.now());
    await o.payments.record({
      paymentId,
      tenantId: s.tenantId,
      created,
      kind: 'RENEWAL',
      plan: plan.plan,
      totalCents: plan.priceCents,
      currency: plan.currency,
      status:
        outcome.status === 'succeeded' ? 'SUCCEEDED' : outcome.status === 'declined' ? 'DECLINED' : 'PENDING',
      gateway: s.gateway ?? '',
      chargeId: outcome.chargeId ?? null,
      declineCode: outcome.status === 'declined' ? outcome.code : null,
      userId: null,
    });
    if (outcome.status === 'succeeded') {
      await this.applyPayment(s.tenantId, {
        paymentId,
        plan: plan.plan,
        gateway: s.gateway ?? '',
        method: outcome.reusableMethod ?? s.method,
        renewal: true,
      });
    } else if (outcome.status === 'pending') {
      await this.scheduleNext(s, new Date(o.now().getTime() + o.timing.gatewayRetryMs));
    } else {
      await this.renewalFailed(s, paymentId, outcome.code);
    }
  }

  /** A declined renewal attempt: PAST_DUE, the attempt counted once, the next retry scheduled. */
  async renewalFailed(s: Subscription, paymentId: string, code: string): Promise<void> {
    const now = this.#o.now();
    const { after } = await this.#o.subscriptions.mutate(s.tenantId, (cur) =>
      cur.expiresAt?.getTime() !== s.expiresAt?.getTime() || cur.renewAttempt !== s.renewAttempt
        ? undefined
        : {
            ...cur,
            status: 'PAST_DUE',
            renewAttempt: cur.renewAttempt + 1,
            pastDueSince: cur.pastDueSince ?? now,
          },
    );
    await this.#o.notices.paymentFailed(s.tenantId, paymentId, this.#o.prices.paid(s.plan as PaidPlan), code);
    await this.scheduleNext(after);
  }

  async #downgrade(s: Subscription): Promise<void> {
    const now = this.#o.now();
    const { before, changed } = await this.#o.subscriptions.mutate(s.tenantId, (cur) => {
      const deadline = this.deadline(cur);
      if (!deadline || now < deadline) return undefined;
      return { ...freeSubscription(s.tenantId), applied: cur.applied };
    });
    if (changed && before.expiresAt) {
      await this.#o.notices.downgraded(
        s.tenantId,
        this.#o.prices.paid(before.plan as PaidPlan),
        before.expiresAt,
      );
    }
    await this.scheduleNext(await this.#o.subscriptions.get(s.tenantId));
  }
}
