import { createHash, randomUUID } from 'node:crypto';
import { AppError, conflict, type ErrorKind, type FieldError } from '../../lib/errors.ts';
import { dateOf, textOf, type Row, type Store } from '../../ports/store.ts';
import { IDEMPOTENCY_TTL_SECONDS, TABLES } from './schema.ts';

/** The first answer to a key, kept to be answered again: a body, or the problem it failed with. */
export type StoredAnswer =
  | { readonly status: number; readonly body: unknown }
  | {
      readonly status: number;
      readonly error: {
        readonly code: string;
        readonly message: string;
        readonly kind: ErrorKind;
        readonly fields: readonly FieldError[];
      };
    };

/** This request holds the key: it runs the payment as `paymentId`, listed at `created`. */
export interface OwnedClaim {
  readonly kind: 'owned';
  readonly owner: string;
  readonly paymentId: string;
  readonly created: Date;
  /** A request that ran before with this key died or gave up: the gateway may already have charged. */
  readonly resumed: boolean;
}

export type Claim = OwnedClaim | { readonly kind: 'done'; readonly answer: StoredAnswer };

const ttl = { ttlSeconds: IDEMPOTENCY_TTL_SECONDS };

/** What a request's body is, whatever the order of its fields: the same key must come with the same one. */
export function fingerprintOf(body: Readonly<Record<string, unknown>>): string {
  const sorted = Object.fromEntries(Object.entries(body).sort(([a], [b]) => a.localeCompare(b)));
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex');
}

/** The key the gateway gets for a client's key: per tenant, and of a fixed length whatever the client sent. */
export const gatewayKeyOf = (tenantId: string, key: string) =>
  `dojo-pay-${tenantId}-${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;

export const answerOf = (error: AppError): StoredAnswer => ({
  status: error.kind === 'PAYMENT_DECLINED' ? 402 : 400,
  error: { code: error.code, message: error.message, kind: error.kind, fields: [...error.fields] },
});

/** Answers a stored answer again: the same status and body as the first time. */
export function replay(answer: StoredAnswer): { status: number; body: unknown } {
  if ('error' in answer) {
    const { code, message, kind, fields } = answer.error;
    throw new AppError(code, message, { kind, fields });
  }
  return answer;
}

/**
 * Idempotency keys as Stripe defines them, scoped per tenant. A key is claimed with a lightweight
 * transaction before the gateway is called; the claim holds a lease, so a request that died holding it
 * (a crashed node) lets a retry take it over once the lease runs out, and that retry, reusing the claim's
 * payment id and the gateway key derived from the client's key, finds the charge already made instead of
 * making another.
 */
export class IdempotencyKeys {
  readonly #store: Store;
  readonly #now: () => Date;
  readonly #leaseMs: number;

  constructor(options: { store: Store; now: () => Date; leaseMs: number }) {
    this.#store = options.store;
    this.#now = options.now;
    this.#leaseMs = options.leaseMs;
  }

  async claim(tenantId: string, key: string, fingerprint: string): Promise<Claim> {
    const k = { tenant_id: tenantId, idem_key: key };
    for (let attempt = 0; attempt < 5; attempt++) {
      const now = this.#now();
      const owner = randomUUID();
      const lease = new Date(now.getTime() + this.#leaseMs);
      const fresh = { paymentId: randomUUID(), created: now };
      const first = await this.#store.insert(
        TABLES.idempotency,
        {
          ...k,
          fingerprint,
          state: 'RUNNING',
          owner,
          lease_until: lease,
          payment_id: fresh.paymentId,
          created: now,
        },
        { ifNotExists: true, ...ttl },
      );
      if (first.applied) return { kind: 'owned', owner, ...fresh, resumed: false };
      const row = first.current ?? (await this.#store.get(TABLES.idempotency, k));
      if (!row) continue;
      const seen = this.#judge(row, fingerprint, now);
      if (seen) return seen;
      const takeover = await this.#store.update(
        TABLES.idempotency,
        k,
        { owner, lease_until: lease },
        { if: { owner: textOf(row.owner), state: 'RUNNING' }, ...ttl },
      );
      if (takeover.applied) {
        return {
          kind: 'owned',
          owner,
          paymentId: textOf(row.payment_id),
          created: dateOf(row.created),
          resumed: true,
        };
      }
    }
    throw conflict('BILLING.IDEMPOTENCY_BUSY', 'This Idempotency-Key is contended; try again.');
  }

  /** A stored answer, a refusal, or undefined when the key's last holder is gone and it can be taken over. */
  #judge(row: Row, fingerprint: string, now: Date): Claim | undefined {
    if (textOf(row.fingerprint) !== fingerprint) {
      throw new AppError(
        'BILLING.IDEMPOTENCY_KEY_REUSED',
        'This Idempotency-Key was used with a different request body.',
        {
          kind: 'CONFLICT',
          fields: [{ path: 'Idempotency-Key', message: 'Use a new key for a new payment' }],
        },
      );
    }
    if (textOf(row.state) === 'DONE') return { kind: 'done', answer: row.answer as StoredAnswer };
    const leaseLeft = dateOf(row.lease_until).getTime() - now.getTime();
    if (leaseLeft > 0) {
      throw new AppError(
        'BILLING.IDEMPOTENCY_IN_PROGRESS',
        'A request with this Idempotency-Key is still being processed; retry after it finishes.',
        { kind: 'CONFLICT', retryAfterSeconds: Math.max(1, Math.ceil(leaseLeft / 1000)) },
      );
    }
    return undefined;
  }

  /**
   * Keeps the answer for replays. A holder that lost its lease meanwhile writes nothing: the one that took
   * over answers the same (same payment id, same gateway outcome) and keeps it.
   */
  async complete(tenantId: string, key: string, owner: string, answer: StoredAnswer): Promise<void> {
    await this.#store.update(
      TABLES.idempotency,
      { tenant_id: tenantId, idem_key: key },
      { state: 'DONE', answer, lease_until: this.#now() },
      { if: { owner }, ...ttl },
    );
  }

  /** Gives the key up unanswered (the gateway's outcome is unknown): the client's retry takes it over at once. */
  async release(tenantId: string, key: string, owner: string): Promise<void> {
    await this.#store.update(
      TABLES.idempotency,
      { tenant_id: tenantId, idem_key: key },
      { lease_until: new Date(0) },
      { if: { owner }, ...ttl },
    );
  }
}
