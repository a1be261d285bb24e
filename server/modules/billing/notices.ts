import type { Auth, NotificationRequest, NotificationType, Notify } from '../../capabilities.ts';
import type { Logger } from '../../lib/log.ts';
import type { Plan } from '../../../config/plans.ts';
import { minorDigits } from './prices.ts';

const money = (cents: number, currency: string) =>
  new Intl.NumberFormat('en', { style: 'currency', currency }).format(cents / 10 ** minorDigits(currency));
const day = (d: Date) => d.toISOString().slice(0, 10);

/**
 * What billing tells a tenant's owners and admins, through `ctx.notify` when a notifications module runs.
 * Every notice has a dedupe key made of the fact it reports, so a step that runs twice (a retry, a
 * redelivered renewal) notifies once; sending is best effort and never fails the payment.
 */
export class BillingNotices {
  readonly #auth: () => Auth;
  readonly #notify: () => Notify | undefined;
  readonly #logger: Logger;

  constructor(options: { auth: () => Auth; notify: () => Notify | undefined; logger: Logger }) {
    this.#auth = options.auth;
    this.#notify = options.notify;
    this.#logger = options.logger;
  }

  paymentSucceeded(tenantId: string, paymentId: string, plan: Plan, expiresAt: Date): Promise<void> {
    return this.#send(tenantId, 'payment.succeeded', `payment.succeeded:${paymentId}`, {
      title: 'Payment received',
      message: `${money(plan.priceCents, plan.currency)} for plan ${plan.plan}; paid until ${day(expiresAt)}.`,
      data: { paymentId, plan: plan.plan },
    });
  }

  paymentFailed(tenantId: string, paymentId: string, plan: Plan, code: string): Promise<void> {
    return this.#send(tenantId, 'payment.failed', `payment.failed:${paymentId}`, {
      title: 'Payment failed',
      message: `The payment of ${money(plan.priceCents, plan.currency)} for plan ${plan.plan} was declined (${code}).`,
      data: { paymentId, plan: plan.plan },
    });
  }

  renewed(tenantId: string, paymentId: string, plan: Plan, expiresAt: Date): Promise<void> {
    return this.#send(tenantId, 'subscription.renewed', `subscription.renewed:${paymentId}`, {
      title: 'Subscription renewed',
      message: `Plan ${plan.plan} is renewed until ${day(expiresAt)}.`,
      data: { paymentId, plan: plan.plan },
    });
  }

  expiring(tenantId: string, plan: Plan, expiresAt: Date): Promise<void> {
    return this.#send(
      tenantId,
      'subscription.expiring',
      `subscription.expiring:${tenantId}:${expiresAt.toISOString()}`,
      {
        title: 'Subscription ending',
        message: `Plan ${plan.plan} ends on ${day(expiresAt)}; turn auto-renew on or pay again to keep it.`,
        data: { plan: plan.plan, expiresAt: expiresAt.toISOString() },
      },
    );
  }

  downgraded(tenantId: string, from: Plan, paidUntil: Date): Promise<void> {
    return this.#send(
      tenantId,
      'subscription.downgraded',
      `subscription.downgraded:${tenantId}:${paidUntil.toISOString()}`,
      {
        title: 'Workspace moved to FREE',
        message: `Plan ${from.plan} ended on ${day(paidUntil)}; the workspace is on FREE now.`,
        data: { plan: 'FREE', previousPlan: from.plan },
      },
    );
  }

  async #send(
    tenantId: string,
    type: NotificationType,
    fact: string,
    content: Pick<NotificationRequest, 'title' | 'message' | 'data'>,
  ): Promise<void> {
    const notify = this.#notify();
    if (!notify) return;
    try {
      const managers = await this.#auth().managers(tenantId);
      await notify.send(
        managers.map((m) => ({
          tenantId,
          userId: m.userId,
          type,
          dedupeKey: `${fact}:${m.userId}`,
          ...content,
        })),
      );
    } catch (error) {
      this.#logger.warn({ err: error, type }, 'billing notice not sent');
    }
  }
}
