import { createHash, randomUUID } from 'node:crypto';
import { AppError, invalid, unavailable } from '../../lib/errors.ts';
import type { ChargeOutcome, ChargeRequest, PaymentGateway } from '../../ports/payments.ts';
import { dateOf, textOf, type Migration, type Row, type Store } from '../../ports/store.ts';
import { outcomeOf } from './tokens.ts';

const KEYS = 'sandbox_gateway_keys';
const LEDGER = 'sandbox_gateway_charges';
/** A real gateway forgets keys after a day (Stripe); the sandbox keeps them longer, never shorter. */
const KEY_TTL_SECONDS = 30 * 24 * 3600;

/** The sandbox's own tables (its ledger), applied with the modules' migrations. */
export const SANDBOX_MIGRATIONS: readonly Migration[] = [
  {
    id: '0010_sandbox_gateway',
    createTables: [
      {
        name: KEYS,
        columns: {
          idempotency_key: 'text',
          fingerprint: 'text',
          charge_id: 'text',
          status: 'text',
          code: 'text',
          message: 'text',
          method: 'text',
          amount_cents: 'bigint',
          currency: 'text',
          created: 'timestamp',
        },
        partitionKey: ['idempotency_key'],
      },
      {
        name: LEDGER,
        columns: {
          day: 'text',
          created: 'timestamp',
          charge_id: 'text',
          idempotency_key: 'text',
          status: 'text',
          amount_cents: 'bigint',
          currency: 'text',
        },
        partitionKey: ['day'],
        clusteringKey: [
          { column: 'created', order: 'asc' },
          { column: 'charge_id', order: 'asc' },
        ],
      },
    ],
  },
];

export type SandboxFault = 'unavailable' | 'timeout' | 'decline';

export interface SandboxCharge {
  readonly chargeId: string;
  readonly idempotencyKey: string;
  readonly status: 'succeeded' | 'declined';
  readonly amountCents: number;
  readonly currency: string;
  readonly created: Date;
}

export interface SandboxOptions {
  readonly store: Store;
  readonly now?: () => Date;
  /** How long a `timeout` fault makes a charge wait before it rejects (default 50 ms). */
  readonly timeoutMs?: number;
}

const fingerprintOf = (r: ChargeRequest) =>
  createHash('sha256')
    .update(
      JSON.stringify([r.amountCents, r.currency, 'token' in r.source ? r.source : { m: r.source.method }]),
    )
    .digest('hex');

const dayOf = (d: Date) => d.toISOString().slice(0, 10);

/**
 * The embedded gateway: deterministic outcomes from Stripe's test tokens (see tokens.ts), and a ledger in
 * the store so that, like a real gateway, it outlives a crash of the process that called it: a key it has
 * seen is answered with its first outcome and never charged again. Tests can queue faults (`failNext`) and
 * hold an answer after the charge is recorded (`onCharged`), which is how a crash between the gateway's
 * charge and the caller's write is staged.
 */
export class SandboxGateway implements PaymentGateway {
  readonly name = 'sandbox';
  readonly #store: Store;
  readonly #now: () => Date;
  readonly #timeoutMs: number;
  readonly #faults: SandboxFault[] = [];
  #onCharged: ((charge: SandboxCharge) => Promise<void>) | undefined;

  constructor(options: SandboxOptions) {
    this.#store = options.store;
    this.#now = options.now ?? (() => new Date());
    this.#timeoutMs = options.timeoutMs ?? 50;
  }

  /** The next `count` charges fail this way before the gateway records anything (a test's control). */
  failNext(fault: SandboxFault, count = 1): void {
    for (let i = 0; i < count; i++) this.#faults.push(fault);
  }

  /** Awaited after a new charge is recorded and before it is answered (a test's control); undefined clears. */
  onCharged(hook: ((charge: SandboxCharge) => Promise<void>) | undefined): void {
    this.#onCharged = hook;
  }

  async charge(request: ChargeRequest): Promise<ChargeOutcome> {
    if (!Number.isInteger(request.amountCents) || request.amountCents <= 0)
      throw invalid('PAYMENT.AMOUNT_INVALID', 'The amount must be a positive whole number of cents.');
    const fault = this.#faults.shift();
    if (fault === 'unavailable')
      throw unavailable('PAYMENT.GATEWAY_UNAVAILABLE', 'The sandbox gateway is down.');
    if (fault === 'timeout') {
      await new Promise((r) => setTimeout(r, this.#timeoutMs));
      throw new AppError('PAYMENT.GATEWAY_TIMEOUT', 'The sandbox gateway did not answer in time.', {
        kind: 'TIMEOUT',
      });
    }
    const fingerprint = fingerprintOf(request);
    const now = this.#now();
    const decided =
      fault === 'decline'
        ? outcomeOf({ token: 'tok_chargeDeclined' })
        : outcomeOf(request.source, request.offSession);
    const chargeId = `ch_sandbox_${randomUUID().replaceAll('-', '')}`;
    const claim = await this.#store.insert(
      KEYS,
      {
        idempotency_key: request.idempotencyKey,
        fingerprint,
        charge_id: chargeId,
        status: decided.status,
        code: decided.status === 'declined' ? decided.code : null,
        message: decided.status === 'declined' ? decided.message : null,
        method: decided.status === 'succeeded' ? (decided.reusableMethod ?? null) : null,
        amount_cents: request.amountCents,
        currency: request.currency,
        created: now,
      },
      { ifNotExists: true, ttlSeconds: KEY_TTL_SECONDS },
    );
    const row = claim.applied
      ? undefined
      : (claim.current ?? (await this.#store.get(KEYS, { idempotency_key: request.idempotencyKey })));
    if (row && textOf(row.fingerprint) !== fingerprint) {
      throw invalid(
        'PAYMENT.IDEMPOTENCY_MISMATCH',
        'This idempotency key was used with another amount, currency or source.',
      );
    }
    const outcome = row ? this.#outcomeOf(row) : { ...decided, chargeId };
    // Written on every answer, so a crash between the key and the ledger heals on the retry.
    const charge: SandboxCharge = {
      chargeId: outcome.chargeId ?? chargeId,
      idempotencyKey: request.idempotencyKey,
      status: outcome.status === 'succeeded' ? 'succeeded' : 'declined',
      amountCents: request.amountCents,
      currency: request.currency,
      created: row ? dateOf(row.created) : now,
    };
    await this.#store.insert(LEDGER, {
      day: dayOf(charge.created),
      created: charge.created,
      charge_id: charge.chargeId,
      idempotency_key: charge.idempotencyKey,
      status: charge.status,
      amount_cents: charge.amountCents,
      currency: charge.currency,
    });
    if (!row && this.#onCharged) await this.#onCharged(charge);
    return outcome;
  }

  #outcomeOf(row: Row): ChargeOutcome {
    const chargeId = textOf(row.charge_id);
    if (textOf(row.status) === 'succeeded') {
      const method = textOf(row.method);
      return { status: 'succeeded', chargeId, ...(method ? { reusableMethod: method } : {}) };
    }
    return { status: 'declined', chargeId, code: textOf(row.code), message: textOf(row.message) };
  }

  /** The charges the ledger holds for a UTC day (default today), oldest first: what tests count. */
  async charges(day: Date = this.#now()): Promise<SandboxCharge[]> {
    const out: SandboxCharge[] = [];
    let pageState: string | undefined;
    do {
      const page = await this.#store.query(LEDGER, {
        where: { day: dayOf(day) },
        limit: 500,
        ...(pageState ? { pageState } : {}),
      });
      for (const r of page.rows) {
        out.push({
          chargeId: textOf(r.charge_id),
          idempotencyKey: textOf(r.idempotency_key),
          status: textOf(r.status) === 'succeeded' ? 'succeeded' : 'declined',
          amountCents: Number(r.amount_cents),
          currency: textOf(r.currency),
          created: dateOf(r.created),
        });
      }
      pageState = page.pageState;
    } while (pageState);
    return out;
  }

  async health(): Promise<void> {}
  async close(): Promise<void> {}
}
