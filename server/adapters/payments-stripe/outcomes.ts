import type Stripe from 'stripe';
import { invalid } from '../../lib/errors.ts';
import type { ChargeOutcome, PaymentEvent } from '../../ports/payments.ts';

/**
 * A kept method as the port hands it out: `<customer>/<payment method>`. Stripe charges a method attached
 * to a customer only when the customer is named too, and the port carries one opaque string.
 */
export function keptMethod(customer: string, paymentMethod: string): string {
  return `${customer}/${paymentMethod}`;
}

/** Reads a kept method back; a bare `pm_…` (no customer) is passed on as it is. */
export function readKeptMethod(method: string): {
  readonly customer?: string;
  readonly paymentMethod: string;
} {
  const slash = method.indexOf('/');
  return slash < 0
    ? { paymentMethod: method }
    : { customer: method.slice(0, slash), paymentMethod: method.slice(slash + 1) };
}

const idOf = (value: string | { readonly id: string } | null | undefined): string | undefined =>
  typeof value === 'string' ? value : (value?.id ?? undefined);

/** The kept method an intent leaves: only a method attached to a customer can be charged again. */
function reusableOf(intent: Stripe.PaymentIntent): { readonly reusableMethod?: string } {
  const customer = idOf(intent.customer);
  const paymentMethod = idOf(intent.payment_method);
  return customer && paymentMethod ? { reusableMethod: keptMethod(customer, paymentMethod) } : {};
}

interface DeclineFields {
  readonly code?: string | null;
  readonly decline_code?: string | null;
  readonly message?: string | null;
}

/**
 * The port's decline code: the issuer's reason when it gave one, else Stripe's error code. Stripe's
 * `generic_decline` (a decline without a reason) is its `card_declined`, which is what the sandbox says.
 */
export function declineCodeOf(error: DeclineFields | null | undefined): string {
  const reason = error?.decline_code;
  return reason && reason !== 'generic_decline' ? reason : (error?.code ?? 'card_declined');
}

export function declinedOutcome(
  chargeId: string | undefined,
  error: DeclineFields | null | undefined,
): ChargeOutcome {
  return {
    status: 'declined',
    ...(chargeId ? { chargeId } : {}),
    code: declineCodeOf(error),
    message: error?.message ?? 'The card was declined.',
  };
}

/** A created intent's outcome: only `succeeded` is final and good; a failed attempt leaves it needing a method. */
export function outcomeOfIntent(intent: Stripe.PaymentIntent): ChargeOutcome {
  switch (intent.status) {
    case 'succeeded':
      return { status: 'succeeded', chargeId: intent.id, ...reusableOf(intent) };
    case 'requires_payment_method':
    case 'canceled':
      return declinedOutcome(intent.id, intent.last_payment_error);
    default:
      // processing, requires_action, requires_capture…: a webhook delivery tells the end.
      return { status: 'pending', chargeId: intent.id };
  }
}

/** The port's reading of a verified event: undefined for the types that say nothing of a charge's end. */
export function paymentEventOf(event: Stripe.Event): PaymentEvent | undefined {
  if (event.type !== 'payment_intent.succeeded' && event.type !== 'payment_intent.payment_failed')
    return undefined;
  const intent = event.data.object;
  if (typeof event.id !== 'string' || typeof intent?.id !== 'string') {
    throw invalid('PAYMENT.WEBHOOK_BODY', 'The webhook event does not carry a payment intent.');
  }
  const base = { eventId: event.id, chargeId: intent.id, metadata: { ...(intent.metadata ?? {}) } };
  return event.type === 'payment_intent.succeeded'
    ? { ...base, status: 'succeeded', ...reusableOf(intent) }
    : { ...base, status: 'declined', code: declineCodeOf(intent.last_payment_error) };
}
