import type { PlanName } from '../../../config/plans.ts';
import type { Events, NewDomainEvent } from '../../capabilities.ts';
import { unavailable } from '../../lib/errors.ts';
import { dateOf, scanPages, textOf, type Row, type Store } from '../../ports/store.ts';
import { TABLES } from './schema.ts';

export type SubscriptionStatus = 'ACTIVE' | 'PAST_DUE';

/** The seed's Billing table: a tenant's plan, until when it is paid, and how it renews. */
export interface Subscription {
  readonly tenantId: string;
  /** Bumped by every write: each write is a lightweight transaction on the version it read (0: no row yet). */
  readonly version: number;
  readonly plan: PlanName;
  readonly status: SubscriptionStatus;
  /** Paid until; null on FREE. */
  readonly expiresAt: Date | null;
  readonly autoRenew: boolean;
  /** The gateway of the last successful payment, and the method it keeps for renewals. */
  readonly gateway: string | null;
  readonly method: string | null;
  /** Failed renewals of the current period. */
  readonly renewAttempt: number;
  readonly pastDueSince: Date | null;
  /** The latest payments applied (newest last): a payment applied twice (a retry, a webhook) counts once. */
  readonly applied: readonly string[];
}

export interface SubscriptionView {
  readonly plan: PlanName;
  readonly status: SubscriptionStatus;
  readonly expiresAt: string | null;
  readonly autoRenew: boolean;
}

/** How many applied payment ids a row remembers: far more than can be in flight for one tenant at once. */
const APPLIED_KEPT = 32;

export const freeSubscription = (tenantId: string, version = 0): Subscription => ({
  tenantId,
  version,
  plan: 'FREE',
  status: 'ACTIVE',
  expiresAt: null,
  autoRenew: false,
  gateway: null,
  method: null,
  renewAttempt: 0,
  pastDueSince: null,
  applied: [],
});

export const viewOf = (s: Subscription): SubscriptionView => ({
  plan: s.plan,
  status: s.status,
  expiresAt: s.expiresAt ? s.expiresAt.toISOString() : null,
  autoRenew: s.autoRenew,
});

export const withApplied = (s: Subscription, paymentId: string): readonly string[] =>
  [...s.applied.filter((id) => id !== paymentId), paymentId].slice(-APPLIED_KEPT);

function subscriptionOf(tenantId: string, r: Row): Subscription {
  return {
    tenantId,
    version: Number(r.version) || 0,
    plan: (textOf(r.plan) || 'FREE') as PlanName,
    status: textOf(r.status) === 'PAST_DUE' ? 'PAST_DUE' : 'ACTIVE',
    expiresAt: r.expires_at instanceof Date ? r.expires_at : null,
    autoRenew: r.auto_renew === true,
    gateway: textOf(r.gateway) || null,
    method: textOf(r.method) || null,
    renewAttempt: Number(r.renew_attempt) || 0,
    pastDueSince: r.past_due_since instanceof Date ? dateOf(r.past_due_since) : null,
    applied: Array.isArray(r.applied) ? (r.applied as string[]) : [],
  };
}

/** A subscription's state as the reporting read model hears of it (also what the history replays). */
export const subscriptionEvent = (s: Subscription, at: Date): NewDomainEvent => ({
  domain: 'billing',
  type: 'subscription.changed',
  version: 1,
  tenantId: s.tenantId,
  at,
  data: { ...viewOf(s), version: s.version },
});

/** Subscriptions with optimistic concurrency: payments, renewals and downgrades of one tenant never clobber. */
export class SubscriptionsRepo {
  readonly #store: Store;
  readonly #now: () => Date;
  readonly #events: () => Events | undefined;

  constructor(store: Store, now: () => Date, events: () => Events | undefined = () => undefined) {
    this.#store = store;
    this.#now = now;
    this.#events = events;
  }

  /** Every subscription as its latest change, a page at a time (the backfill's history). */
  async *history(): AsyncGenerator<NewDomainEvent[]> {
    for await (const rows of scanPages(this.#store, TABLES.subscriptions)) {
      yield rows.map((r) => subscriptionEvent(subscriptionOf(textOf(r.tenant_id), r), dateOf(r.updated)));
    }
  }

  async get(tenantId: string): Promise<Subscription> {
    const row = await this.#store.get(TABLES.subscriptions, { tenant_id: tenantId });
    return row ? subscriptionOf(tenantId, row) : freeSubscription(tenantId);
  }

  /**
   * Reads, asks `change` for the next state (undefined: nothing to do), and writes it if nobody wrote in
   * between; otherwise reads again and asks again. Returns the state before and after.
   */
  async mutate(
    tenantId: string,
    change: (current: Subscription) => Omit<Subscription, 'version' | 'tenantId'> | undefined,
  ): Promise<{ before: Subscription; after: Subscription; changed: boolean }> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const before = await this.get(tenantId);
      const next = change(before);
      if (!next) return { before, after: before, changed: false };
      const after: Subscription = { ...next, tenantId, version: before.version + 1 };
      if (await this.#write(after, before.version)) {
        await this.#events()?.emit([subscriptionEvent(after, this.#now())]);
        return { before, after, changed: true };
      }
    }
    throw unavailable('BILLING.SUBSCRIPTION_CONTENDED', 'The subscription is being changed; try again.');
  }

  async #write(s: Subscription, expected: number): Promise<boolean> {
    const set = {
      version: s.version,
      plan: s.plan,
      status: s.status,
      expires_at: s.expiresAt,
      auto_renew: s.autoRenew,
      gateway: s.gateway,
      method: s.method,
      renew_attempt: s.renewAttempt,
      past_due_since: s.pastDueSince,
      applied: [...s.applied],
      updated: this.#now(),
    };
    const result =
      expected === 0
        ? await this.#store.insert(
            TABLES.subscriptions,
            { tenant_id: s.tenantId, ...set },
            { ifNotExists: true },
          )
        : await this.#store.update(TABLES.subscriptions, { tenant_id: s.tenantId }, set, {
            if: { version: expected },
          });
    return result.applied;
  }
}
