import type { PaidPlan } from '../../../config/plans.ts';
import { AppError, conflict, invalid, isAppError } from '../../lib/errors.ts';
import type { ChargeOutcome } from '../../ports/payments.ts';
import {
  answerOf,
  fingerprintOf,
  gatewayKeyOf,
  replay,
  type OwnedClaim,
  type StoredAnswer,
} from './idempotency.ts';
import type { BillingParts } from './parts.ts';
import { viewOf } from './subscriptions.ts';

export interface PurchaseInput {
  readonly plan: PaidPlan;
  readonly total: number;
  readonly paymentGateway: string;
  readonly paymentToken: string;
  readonly autoRenew?: boolean | undefined;
}

export interface Payer {
  readonly tenantId: string;
  readonly userId: string;
}

/** How long a purchase may hold its key before a retry may take it over (the gateway's slowest answer). */
export const DEFAULT_CLAIM_LEASE_MS = 60_000;
/**
 * Stripe forgets an idempotency key after 24 h: a payment that died unanswered longer ago than this is not
 * retried at the gateway (that could charge again), it is left for an operator to reconcile.
 */
const GATEWAY_KEY_MEMORY_MS = 20 * 3600_000;

const declined = (outcome: Extract<ChargeOutcome, { status: 'declined' }>) =>
  new AppError('BILLING.PAYMENT_DECLINED', `The payment was declined: ${outcome.message}`, {
    kind: 'PAYMENT_DECLINED',
    fields: [{ path: 'paymentToken', message: `Declined (${outcome.code})` }],
  });

/**
 * POST /v1/payment: checks the price and the gateway, claims the Idempotency-Key, charges once through the
 * gateway with a key derived from the client's, records the payment, applies it to the subscription, and
 * keeps the answer for replays. Every step after the claim can be run again by a retry that takes the key
 * over, and lands on the same rows: that is what heals a crash between the charge and the writes.
 */
export async function purchase(
  parts: BillingParts,
  payer: Payer,
  input: PurchaseInput,
  idempotencyKey: string,
): Promise<{ status: number; body: unknown }> {
  const totalCents = parts.prices.checkTotal(input.plan, input.total);
  const gateway = parts.gateways.get(input.paymentGateway);
  if (!gateway) {
    throw invalid('BILLING.UNKNOWN_GATEWAY', `No payment gateway "${input.paymentGateway}" is configured.`, [
      { path: 'paymentGateway', message: `Must be one of: ${[...parts.gateways.keys()].join(', ')}` },
    ]);
  }
  const fingerprint = fingerprintOf({ ...input, autoRenew: input.autoRenew ?? false });
  const claim = await parts.keys.claim(payer.tenantId, idempotencyKey, fingerprint);
  if (claim.kind === 'done') return replay(claim.answer);
  if (claim.resumed) {
    parts.logger.warn({ paymentId: claim.paymentId }, 'resuming a payment whose request died');
    if (parts.now().getTime() - claim.created.getTime() > GATEWAY_KEY_MEMORY_MS) {
      await parts.keys.release(payer.tenantId, idempotencyKey, claim.owner);
      throw conflict(
        'BILLING.PAYMENT_UNRESOLVED',
        'This payment was interrupted too long ago to be retried safely; use a new Idempotency-Key after checking GET /v1/billing.',
      );
    }
  }

  let answer: StoredAnswer;
  try {
    answer = await chargeAndApply(
      parts,
      payer,
      input,
      totalCents,
      claim,
      gatewayKeyOf(payer.tenantId, idempotencyKey),
    );
  } catch (error) {
    if (isAppError(error) && error.kind === 'INVALID') {
      answer = answerOf(error);
    } else {
      // The outcome is unknown (the gateway timed out, the store failed): nothing is kept, and the client's
      // retry takes the key over at once and asks the gateway again with the same key.
      await parts.keys.release(payer.tenantId, idempotencyKey, claim.owner).catch(() => {});
      throw error;
    }
  }
  await parts.keys.complete(payer.tenantId, idempotencyKey, claim.owner, answer);
  return replay(answer);
}

async function chargeAndApply(
  parts: BillingParts,
  payer: Payer,
  input: PurchaseInput,
  totalCents: number,
  claim: OwnedClaim,
  gatewayKey: string,
): Promise<StoredAnswer> {
  const gateway = parts.gateways.get(input.paymentGateway);
  if (!gateway) throw new Error(`gateway ${input.paymentGateway} vanished`);
  const plan = parts.prices.paid(input.plan);
  const outcome = await gateway.charge({
    idempotencyKey: gatewayKey,
    amountCents: totalCents,
    currency: plan.currency.toLowerCase(),
    source: { token: input.paymentToken },
    description: `Dojo plan ${plan.plan} (${plan.period})`,
    metadata: { tenantId: payer.tenantId, paymentId: claim.paymentId, plan: plan.plan },
  });
  const created = await parts.payments.placeOf(payer.tenantId, claim.paymentId, claim.created);
  await parts.payments.record({
    paymentId: claim.paymentId,
    tenantId: payer.tenantId,
    created,
    kind: 'PURCHASE',
    plan: plan.plan,
    totalCents,
    currency: plan.currency,
    status:
      outcome.status === 'succeeded' ? 'SUCCEEDED' : outcome.status === 'declined' ? 'DECLINED' : 'PENDING',
    gateway: gateway.name,
    chargeId: outcome.chargeId ?? null,
    declineCode: outcome.status === 'declined' ? outcome.code : null,
    userId: payer.userId,
  });
  if (outcome.status === 'declined') {
    await parts.notices.paymentFailed(payer.tenantId, claim.paymentId, plan, outcome.code);
    return answerOf(declined(outcome));
  }
  if (outcome.status === 'pending') {
    const subscription = viewOf(await parts.subscriptions.get(payer.tenantId));
    return { status: 202, body: { success: false, pending: true, paymentId: claim.paymentId, subscription } };
  }
  const after = await parts.lifecycle.applyPayment(payer.tenantId, {
    paymentId: claim.paymentId,
    plan: plan.plan,
    gateway: gateway.name,
    method: outcome.reusableMethod ?? null,
    autoRenew: input.autoRenew,
    renewal: false,
  });
  return { status: 201, body: { success: true, paymentId: claim.paymentId, subscription: viewOf(after) } };
}
