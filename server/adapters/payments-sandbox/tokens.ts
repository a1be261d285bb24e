import { invalid } from '../../lib/errors.ts';
import type { ChargeSource } from '../../ports/payments.ts';

type Decided =
  | { readonly status: 'succeeded'; readonly reusableMethod: string }
  | { readonly status: 'declined'; readonly code: string; readonly message: string };

/**
 * Stripe's test tokens and what a charge with each does. `tok_chargeCustomerFail` succeeds on the
 * customer's own payment but its kept method declines later, off session: how a renewal that fails is
 * staged. A kept method (`pm_sandbox_<card>`) behaves as the token it came from.
 */
const TOKENS: Readonly<Record<string, { readonly first: Decided; readonly offSession?: Decided }>> = {
  tok_visa: { first: { status: 'succeeded', reusableMethod: 'pm_sandbox_visa' } },
  tok_mastercard: { first: { status: 'succeeded', reusableMethod: 'pm_sandbox_mastercard' } },
  tok_chargeDeclined: {
    first: { status: 'declined', code: 'card_declined', message: 'Your card was declined.' },
  },
  tok_insufficientFunds: {
    first: { status: 'declined', code: 'insufficient_funds', message: 'Your card has insufficient funds.' },
  },
  tok_chargeCustomerFail: {
    first: { status: 'succeeded', reusableMethod: 'pm_sandbox_chargeCustomerFail' },
    offSession: { status: 'declined', code: 'card_declined', message: 'Your card was declined.' },
  },
};

const METHODS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(TOKENS).flatMap(([token, t]) =>
    t.first.status === 'succeeded' ? [[t.first.reusableMethod, token]] : [],
  ),
);

/** The outcome a charge of this source has; an unknown token or method is the client's mistake (400). */
export function outcomeOf(source: ChargeSource, offSession = false): Decided {
  const token = 'token' in source ? source.token : METHODS[source.method];
  const known = token === undefined ? undefined : TOKENS[token];
  if (!known) {
    throw invalid('PAYMENT.TOKEN_INVALID', 'The sandbox gateway does not know this payment token.', [
      { path: 'paymentToken', message: `Use a Stripe test token: ${Object.keys(TOKENS).join(', ')}` },
    ]);
  }
  if ('method' in source && (offSession || known.offSession)) return known.offSession ?? known.first;
  return known.first;
}
