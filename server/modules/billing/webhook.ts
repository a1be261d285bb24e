import type { PaidPlan } from '../../../config/plans.ts';
import type { PaymentEvent } from '../../ports/payments.ts';
import type { BillingParts } from './parts.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A verified gateway event about one of our charges (a payment that was PENDING, or a redelivery of one we
 * know): recorded and applied as the synchronous answer would have been. Everything it does is idempotent,
 * so a gateway delivering the same event twice, or out of order with our own answer, changes nothing more.
 * A success is never turned back into a decline.
 */
export async function applyPaymentEvent(
  parts: BillingParts,
  gateway: string,
  event: PaymentEvent,
): Promise<void> {
  const { tenantId = '', paymentId = '' } = event.metadata;
  if (!UUID.test(tenantId) || !UUID.test(paymentId)) {
    parts.logger.info({ eventId: event.eventId }, 'webhook event about a charge that is not ours');
    return;
  }
  const payment = await parts.payments.get(paymentId);
  if (!payment || payment.tenantId !== tenantId || payment.gateway !== gateway) {
    parts.logger.warn({ eventId: event.eventId }, 'webhook event for an unknown payment');
    return;
  }
  const plan = parts.prices.paid(payment.plan as PaidPlan);
  if (event.status === 'succeeded') {
    if (payment.status !== 'SUCCEEDED') {
      await parts.payments.record({
        ...payment,
        status: 'SUCCEEDED',
        chargeId: event.chargeId,
        declineCode: null,
      });
    }
    await parts.lifecycle.applyPayment(tenantId, {
      paymentId,
      plan: plan.plan,
      gateway,
      method: event.reusableMethod ?? null,
      renewal: payment.kind === 'RENEWAL',
    });
    return;
  }
  if (payment.status === 'PENDING') {
    const code = event.code ?? 'declined';
    await parts.payments.record({
      ...payment,
      status: 'DECLINED',
      chargeId: event.chargeId,
      declineCode: code,
    });
    await parts.notices.paymentFailed(tenantId, paymentId, plan, code);
  }
}
