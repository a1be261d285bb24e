import http from 'node:http';
import https from 'node:https';
import Stripe from 'stripe';
import { invalid } from '../../lib/errors.ts';
import type { Logger } from '../../lib/log.ts';
import type { ChargeOutcome, ChargeRequest, PaymentEvent, PaymentGateway } from '../../ports/payments.ts';
import { failureFields, failureOf, type ChargeStep } from './failures.ts';
import { declinedOutcome, outcomeOfIntent, paymentEventOf, readKeptMethod } from './outcomes.ts';

export interface StripeGatewayOptions {
  readonly secretKey: string;
  readonly webhookSecret: string;
  /** Another API origin than https://api.stripe.com (a local stand-in); a path is refused, the SDK adds /v1. */
  readonly apiUrl?: string;
  readonly logger: Logger;
  /** Retries the SDK makes, with the same idempotency key, after no answer, a 409 or a 5xx (default 2). */
  readonly maxNetworkRetries?: number;
  /** Per attempt (default 30 s; the SDK's own 80 s is longer than a checkout should wait). */
  readonly timeoutMs?: number;
}

/** The SDK's host, port and protocol for an API origin. */
function addressOf(apiUrl: string): { host: string; port: number; protocol: 'http' | 'https' } {
  const url = new URL(apiUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`STRIPE_API_URL: ${url.protocol} is not http(s)`);
  if (url.pathname !== '/' || url.search) throw new Error('STRIPE_API_URL must be an origin without a path');
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  const port = url.port ? Number(url.port) : protocol === 'http' ? 80 : 443;
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port, protocol };
}

/**
 * Charges through Stripe PaymentIntents with the `stripe` SDK. A token charge takes three requests, each
 * under the charge's key or one derived from it, so a retry replays every step rather than redoing it: a
 * PaymentMethod made from the token (the documented way to use a token with PaymentIntents), a Customer
 * (Stripe charges a method again only once it is attached to one), then the intent, confirmed at once and
 * saving the method for off-session renewals. A kept method is one intent. Stripe itself keeps the outcome
 * of each key for 24 hours, so this adapter keeps no state.
 */
export class StripeGateway implements PaymentGateway {
  readonly name = 'stripe';
  readonly #stripe: Stripe;
  readonly #webhookSecret: string;
  readonly #logger: Logger;
  /** Ours, so that close() ends its keep-alive sockets rather than leaving them to the SDK's global agent. */
  readonly #agent: http.Agent;

  constructor(options: StripeGatewayOptions) {
    const address = options.apiUrl ? addressOf(options.apiUrl) : undefined;
    this.#agent =
      address?.protocol === 'http'
        ? new http.Agent({ keepAlive: true })
        : new https.Agent({ keepAlive: true });
    this.#stripe = new Stripe(options.secretKey, {
      ...address,
      maxNetworkRetries: options.maxNetworkRetries ?? 2,
      timeout: options.timeoutMs ?? 30_000,
      httpAgent: this.#agent,
      telemetry: false,
    });
    this.#webhookSecret = options.webhookSecret;
    this.#logger = options.logger;
  }

  async charge(request: ChargeRequest): Promise<ChargeOutcome> {
    if (!Number.isInteger(request.amountCents) || request.amountCents <= 0)
      throw invalid('PAYMENT.AMOUNT_INVALID', 'The amount must be a positive whole number of cents.');
    const progress: { step: ChargeStep } = { step: 'payment_method' };
    try {
      const source = await this.#sourceOf(request, progress);
      progress.step = 'payment_intent';
      const intent = await this.#stripe.paymentIntents.create(
        {
          amount: request.amountCents,
          currency: request.currency,
          confirm: true,
          description: request.description,
          metadata: { ...request.metadata },
          allowed_payment_method_types: ['card'],
          // No page here can take the customer through 3-D Secure: such a card is declined, not left pending.
          error_on_requires_action: true,
          ...source,
        },
        { idempotencyKey: request.idempotencyKey },
      );
      return outcomeOfIntent(intent);
    } catch (error) {
      // A card error may come before the intent too (a card Stripe refuses to keep): a decline all the same.
      if (error instanceof Stripe.errors.StripeCardError) {
        const outcome = declinedOutcome(error.payment_intent?.id, error);
        this.#logger.info(
          { step: progress.step, chargeId: outcome.chargeId, requestId: error.requestId },
          'stripe charge declined',
        );
        return outcome;
      }
      throw this.#failed(error, progress.step);
    }
  }

  /** What the intent charges: a kept method, or one made from the token and attached to a new customer. */
  async #sourceOf(request: ChargeRequest, progress: { step: ChargeStep }) {
    const { source, idempotencyKey: key } = request;
    if ('method' in source) {
      const { customer, paymentMethod } = readKeptMethod(source.method);
      return {
        payment_method: paymentMethod,
        ...(customer ? { customer } : {}),
        ...(request.offSession ? { off_session: true } : {}),
      };
    }
    const method = await this.#stripe.paymentMethods.create(
      { type: 'card', card: { token: source.token } },
      { idempotencyKey: `${key}:payment_method` },
    );
    progress.step = 'customer';
    const customer = await this.#stripe.customers.create(
      { metadata: { ...request.metadata } },
      { idempotencyKey: `${key}:customer` },
    );
    return { payment_method: method.id, customer: customer.id, setup_future_usage: 'off_session' as const };
  }

  #failed(error: unknown, step: ChargeStep) {
    const failure = failureOf(error, step);
    const level = failure.kind === 'INVALID' ? 'info' : failure.retriable ? 'warn' : 'error';
    this.#logger[level]({ ...failureFields(error, step), failure: failure.code }, 'stripe request failed');
    return failure;
  }

  parseWebhook(
    rawBody: Buffer,
    headers: Readonly<Record<string, string | string[] | undefined>>,
  ): PaymentEvent | undefined {
    const signature = headers['stripe-signature'];
    let event: Stripe.Event;
    try {
      // Tolerance: the SDK's default, 300 s between the signed timestamp and now.
      event = this.#stripe.webhooks.constructEvent(
        rawBody,
        typeof signature === 'string' ? signature : '',
        this.#webhookSecret,
      );
    } catch (error) {
      throw invalid('PAYMENT.WEBHOOK_SIGNATURE', 'The webhook delivery is not signed by Stripe.', [
        {
          path: 'stripe-signature',
          message: error instanceof Error ? error.message : 'The signature does not verify',
        },
      ]);
    }
    return paymentEventOf(event);
  }

  /** Configuration only: a readiness probe must not spend Stripe's rate limit. */
  async health(): Promise<void> {}

  async close(): Promise<void> {
    this.#agent.destroy();
  }
}
