import type { PlanName } from '../../../config/plans.ts';
import type { Events, NewDomainEvent } from '../../capabilities.ts';
import { isAppError, invalid } from '../../lib/errors.ts';
import { dateOf, scanPages, textOf, type Row, type Store } from '../../ports/store.ts';
import { TABLES } from './schema.ts';

export type PaymentStatus = 'SUCCEEDED' | 'DECLINED' | 'PENDING' | 'REFUNDED';

export interface PaymentRecord {
  readonly paymentId: string;
  readonly tenantId: string;
  readonly created: Date;
  /** A purchase by a person, or a renewal the scheduler charged. */
  readonly kind: 'PURCHASE' | 'RENEWAL';
  readonly plan: PlanName;
  readonly totalCents: number;
  readonly currency: string;
  readonly status: PaymentStatus;
  readonly gateway: string;
  readonly chargeId: string | null;
  readonly declineCode: string | null;
  readonly userId: string | null;
}

const recordOf = (r: Row): PaymentRecord => ({
  paymentId: textOf(r.payment_id),
  tenantId: textOf(r.tenant_id),
  created: dateOf(r.created),
  kind: textOf(r.kind) === 'RENEWAL' ? 'RENEWAL' : 'PURCHASE',
  plan: textOf(r.plan) as PlanName,
  totalCents: Number(r.total_cents),
  currency: textOf(r.currency),
  status: textOf(r.status) as PaymentStatus,
  gateway: textOf(r.gateway),
  chargeId: textOf(r.charge_id) || null,
  declineCode: textOf(r.decline_code) || null,
  userId: textOf(r.user_id) || null,
});

/** A payment as the reporting read model hears of it (also what the billing history replays). */
export const paymentEvent = (p: PaymentRecord): NewDomainEvent => ({
  domain: 'billing',
  type: p.status === 'SUCCEEDED' ? 'payment.succeeded' : 'payment.failed',
  version: 1,
  tenantId: p.tenantId,
  at: p.created,
  data: {
    paymentId: p.paymentId,
    kind: p.kind,
    plan: p.plan,
    totalCents: p.totalCents,
    currency: p.currency,
    gateway: p.gateway,
    declineCode: p.declineCode,
    created: p.created.toISOString(),
  },
});

/** Payments, one table per query (see the README): by tenant newest first, and by id. */
export class PaymentsRepo {
  readonly #store: Store;
  readonly #events: () => Events | undefined;

  constructor(store: Store, events: () => Events | undefined = () => undefined) {
    this.#store = store;
    this.#events = events;
  }

  /**
   * Where the payment is listed: the first writer's time, whoever writes it later (a retry, a redelivered
   * renewal) lands on the same row instead of adding one.
   */
  async placeOf(tenantId: string, paymentId: string, created: Date): Promise<Date> {
    const claim = await this.#store.insert(
      TABLES.paymentKeys,
      { payment_id: paymentId, tenant_id: tenantId, created },
      { ifNotExists: true },
    );
    if (claim.applied) return created;
    const row = claim.current ?? (await this.#store.get(TABLES.paymentKeys, { payment_id: paymentId }));
    return row ? dateOf(row.created) : created;
  }

  async record(p: PaymentRecord): Promise<void> {
    await this.#store.insert(TABLES.payments, {
      tenant_id: p.tenantId,
      created: p.created,
      payment_id: p.paymentId,
      kind: p.kind,
      plan: p.plan,
      total_cents: p.totalCents,
      currency: p.currency,
      status: p.status,
      gateway: p.gateway,
      charge_id: p.chargeId,
      decline_code: p.declineCode,
      user_id: p.userId,
    });
    // Also when a retry writes the row again: consumers keep one row per payment id.
    if (p.status === 'SUCCEEDED' || p.status === 'DECLINED') {
      await this.#events()?.emit([paymentEvent(p)]);
    }
  }

  async get(paymentId: string): Promise<PaymentRecord | undefined> {
    const key = await this.#store.get(TABLES.paymentKeys, { payment_id: paymentId });
    if (!key) return undefined;
    const row = await this.#store.get(TABLES.payments, {
      tenant_id: textOf(key.tenant_id),
      created: dateOf(key.created),
      payment_id: paymentId,
    });
    return row ? recordOf(row) : undefined;
  }

  /** A page of the tenant's payments, newest first; `cursor` is a previous page's. */
  async page(
    tenantId: string,
    limit: number,
    cursor: string | undefined,
  ): Promise<{ payments: PaymentRecord[]; nextCursor: string | null }> {
    try {
      const page = await this.#store.query(TABLES.payments, {
        where: { tenant_id: tenantId },
        limit,
        ...(cursor ? { pageState: cursor } : {}),
      });
      return { payments: page.rows.map(recordOf), nextCursor: page.pageState ?? null };
    } catch (error) {
      if (isAppError(error) && error.code === 'STORE.BAD_PAGE_STATE') {
        throw invalid('BILLING.BAD_CURSOR', 'The cursor is malformed or from another listing.', [
          { path: 'query.cursor', message: 'Invalid cursor; start again without one' },
        ]);
      }
      throw error;
    }
  }

  /** Every payment the gateway answered, as its event, a page at a time (the backfill's history). */
  async *history(): AsyncGenerator<NewDomainEvent[]> {
    for await (const rows of scanPages(this.#store, TABLES.payments)) {
      yield rows
        .map(recordOf)
        .filter((p) => p.status === 'SUCCEEDED' || p.status === 'DECLINED')
        .map(paymentEvent);
    }
  }

  /** The tenant's payments created in [from, to), oldest first (the billing report reads a year). */
  async between(tenantId: string, from: Date, to: Date): Promise<PaymentRecord[]> {
    const out: PaymentRecord[] = [];
    let pageState: string | undefined;
    do {
      const page = await this.#store.query(TABLES.payments, {
        where: { tenant_id: tenantId },
        range: { column: 'created', gte: from, lt: to },
        reverse: true,
        limit: 500,
        ...(pageState ? { pageState } : {}),
      });
      out.push(...page.rows.map(recordOf));
      pageState = page.pageState;
    } while (pageState);
    return out;
  }
}
