import Stripe from 'stripe';
import { AppError, invalid, unavailable } from '../../lib/errors.ts';

/** The request of a charge that failed: an invalid request means something else at each. */
export type ChargeStep = 'payment_method' | 'customer' | 'payment_intent';

const { StripeError, StripeConnectionError, StripeIdempotencyError, StripeInvalidRequestError } =
  Stripe.errors;

/** What a failure is worth logging: never the request's parameters nor the key. */
export function failureFields(error: unknown, step: ChargeStep): Record<string, unknown> {
  if (!(error instanceof StripeError)) return { step, err: error };
  return {
    step,
    type: error.type,
    statusCode: error.statusCode,
    code: error.code,
    param: error.param,
    requestId: error.requestId,
    stripeMessage: error.message,
  };
}

/**
 * A failed Stripe request as the port's error. Stripe refusing the request (400) is final and the caller's
 * to fix; a key that does not authenticate is ours; anything that leaves the outcome unknown (no answer, a
 * timeout, 5xx, 409 while the same key is in flight, 429 after the SDK's own retries) is retriable with
 * the same idempotency key.
 */
export function failureOf(error: unknown, step: ChargeStep): AppError {
  if (!(error instanceof StripeError)) {
    return unavailable('PAYMENT.GATEWAY_UNAVAILABLE', 'The Stripe call failed unexpectedly.', error);
  }
  if (error instanceof StripeIdempotencyError) {
    return invalid(
      'PAYMENT.IDEMPOTENCY_MISMATCH',
      'This idempotency key was used with another amount, currency or source.',
    );
  }
  if (error instanceof StripeInvalidRequestError) {
    if (step === 'payment_method') {
      return invalid('PAYMENT.TOKEN_INVALID', 'Stripe refused this payment token.', [
        {
          path: 'paymentToken',
          message: `Stripe says ${error.code ?? 'invalid'}: use a token from Stripe.js`,
        },
      ]);
    }
    return invalid(
      'PAYMENT.GATEWAY_REJECTED',
      `Stripe refused the ${step} request (${error.code ?? 'invalid'}).`,
    );
  }
  if (error instanceof StripeConnectionError) {
    const detail = error.detail as { code?: unknown } | undefined;
    if (detail?.code === 'ETIMEDOUT') {
      return new AppError('PAYMENT.GATEWAY_TIMEOUT', 'Stripe did not answer in time.', {
        kind: 'TIMEOUT',
        cause: error,
      });
    }
    return unavailable('PAYMENT.GATEWAY_UNAVAILABLE', 'Stripe could not be reached.', error);
  }
  if (error.statusCode === 401 || error.statusCode === 403) {
    return new AppError('PAYMENT.GATEWAY_MISCONFIGURED', 'The Stripe secret key was refused.', {
      kind: 'INTERNAL',
      cause: error,
    });
  }
  return unavailable(
    'PAYMENT.GATEWAY_UNAVAILABLE',
    `Stripe answered ${error.statusCode ?? 'an error'}.`,
    error,
  );
}
