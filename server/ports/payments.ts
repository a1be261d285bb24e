/**
 * A payment gateway: charges a card once per idempotency key, as Stripe does. Adapters: payments-sandbox
 * (embedded, always on: Stripe's test tokens, its own durable ledger in the store) and payments-stripe
 * (PaymentIntents through the `stripe` SDK).
 */

/** What pays: a token the client got from the gateway (single use), or a method kept from an earlier charge. */
export type ChargeSource = { readonly token: string } | { readonly method: string };

export interface ChargeRequest {
  /**
   * The gateway keeps the first outcome of a key and answers it again, charging once: a retry after a crash
   * or a lost answer must reuse the key. Reusing a key with another amount, currency or source is refused.
   */
  readonly idempotencyKey: string;
  /** Integer minor units (cents), > 0. */
  readonly amountCents: number;
  /** ISO 4217, lower-case (`usd`). */
  readonly currency: string;
  readonly source: ChargeSource;
  /** A renewal charged while the customer is away (no chance to authenticate the card). */
  readonly offSession?: boolean;
  readonly description: string;
  /** Kept with the charge and echoed in webhook events (tenantId, paymentId). */
  readonly metadata: Readonly<Record<string, string>>;
}

export type ChargeOutcome =
  | {
      readonly status: 'succeeded';
      readonly chargeId: string;
      /** A method the gateway keeps for later off-session charges (renewals), when it offers one. */
      readonly reusableMethod?: string;
    }
  | {
      readonly status: 'declined';
      readonly chargeId?: string;
      /** The gateway's decline code (`card_declined`, `insufficient_funds`…). */
      readonly code: string;
      readonly message: string;
    }
  /** Accepted but not final (e.g. the bank is still deciding): a webhook event tells the outcome later. */
  | { readonly status: 'pending'; readonly chargeId: string };

/** A gateway's asynchronous word on a charge (a verified webhook delivery). */
export interface PaymentEvent {
  /** The gateway's event id: the same delivery sent twice has the same id. */
  readonly eventId: string;
  readonly chargeId: string;
  readonly status: 'succeeded' | 'declined';
  readonly code?: string;
  readonly reusableMethod?: string;
  readonly metadata: Readonly<Record<string, string>>;
}

export interface PaymentGateway {
  /** The `paymentGateway` clients name (`sandbox`, `stripe`). */
  readonly name: string;
  /**
   * Charges, or answers the key's first outcome again. Rejects with a retriable AppError (UNAVAILABLE or
   * TIMEOUT) when the outcome is unknown: the caller retries later with the same key.
   */
  charge(request: ChargeRequest): Promise<ChargeOutcome>;
  /**
   * Verifies a webhook delivery's signature and reads it: undefined for an event type that says nothing
   * about a charge's outcome; throws an INVALID AppError for a bad signature or body. Gateways without
   * webhooks leave it out.
   */
  parseWebhook?(
    rawBody: Buffer,
    headers: Readonly<Record<string, string | string[] | undefined>>,
  ): PaymentEvent | undefined;
  health(): Promise<void>;
  close(): Promise<void>;
}
