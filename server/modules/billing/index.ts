import { z } from 'zod';
import type { Entitlements } from '../../capabilities.ts';
import type { DojoModule } from '../../modules.ts';
import { billingEndpoints } from './endpoints.ts';
import { IdempotencyKeys } from './idempotency.ts';
import { DEFAULT_TIMING, LIFECYCLE_TOPIC, Lifecycle, type LifecycleTiming } from './lifecycle.ts';
import { BillingNotices } from './notices.ts';
import type { BillingParts } from './parts.ts';
import { addPeriod, PriceList } from './prices.ts';
import { DEFAULT_CLAIM_LEASE_MS } from './purchase.ts';
import { PaymentsRepo } from './repo.ts';
import { BILLING_MIGRATIONS } from './schema.ts';
import { freeSubscription, SubscriptionsRepo, viewOf } from './subscriptions.ts';

export interface BillingOptions {
  /** The clock (tests and simulations move it, with the scheduler's). */
  readonly now?: () => Date;
  readonly timing?: Partial<LifecycleTiming>;
  /** The end of a period (default: the calendar's month or year); simulations make a month last minutes. */
  readonly periodEnd?: (from: Date, period: 'month' | 'year') => Date;
  /** How long a purchase holds its Idempotency-Key before a retry may take it over (default 60 s). */
  readonly claimLeaseMs?: number;
}

const wake = z.object({ tenantId: z.uuid() });

function entitlementsOf(
  parts: Omit<BillingParts, 'entitlements'>,
  subscriptions: SubscriptionsRepo,
): Entitlements {
  return {
    of: async (tenantId) => {
      const stored = await subscriptions.get(tenantId);
      const deadline = parts.lifecycle.deadline(stored);
      // A lapsed plan stops buying anything at its deadline, before the downgrade step has run.
      const s = deadline && parts.now() < deadline ? stored : freeSubscription(tenantId);
      return { plan: s.plan, limits: parts.prices.plan(s.plan).limits, subscription: viewOf(s) };
    },
  };
}

/**
 * Billing (issue #11): the price list, payments through the gateway port with Stripe-style idempotency
 * keys, subscriptions that renew on the scheduler, fall PAST_DUE and downgrade, and `entitlements`, what
 * each tenant's plan buys, for the modules that enforce limits.
 */
export function createBillingModule(options: BillingOptions = {}): DojoModule {
  const now = options.now ?? (() => new Date());
  const timing = { ...DEFAULT_TIMING, ...options.timing };
  return {
    name: 'billing',
    migrations: BILLING_MIGRATIONS,
    topics: [LIFECYCLE_TOPIC],
    init: (ctx) => {
      const logger = ctx.logger.child({ module: 'billing' });
      const store = ctx.adapters.store;
      const prices = new PriceList(ctx.config.plans);
      const gateways = ctx.adapters.payments;
      const events = () => ctx.optional('events');
      const payments = new PaymentsRepo(store, events);
      const subscriptions = new SubscriptionsRepo(store, now, events);
      const notices = new BillingNotices({
        auth: () => ctx.auth,
        notify: () => ctx.optional('notify'),
        logger,
      });
      const lifecycle = new Lifecycle({
        prices,
        gateways,
        payments,
        subscriptions,
        notices,
        scheduler: () => ctx.scheduler,
        logger,
        now,
        timing,
        periodEnd: options.periodEnd ?? addPeriod,
      });
      const base = {
        prices,
        gateways,
        keys: new IdempotencyKeys({ store, now, leaseMs: options.claimLeaseMs ?? DEFAULT_CLAIM_LEASE_MS }),
        payments,
        subscriptions,
        lifecycle,
        notices,
        logger,
        now,
      };
      const entitlements = entitlementsOf(base, subscriptions);
      const parts: BillingParts = { ...base, entitlements };
      return {
        endpoints: billingEndpoints(parts),
        workers: [
          {
            topic: LIFECYCLE_TOPIC,
            group: 'billing-lifecycle',
            handler: async (message) => {
              const parsed = wake.safeParse(message.value);
              if (!parsed.success) {
                logger.warn({ offset: message.offset }, 'malformed billing wake dropped');
                return;
              }
              await lifecycle.advance(parsed.data.tenantId);
            },
          },
        ],
        provides: { entitlements },
        history: async function* () {
          yield* payments.history();
          yield* subscriptions.history();
        },
      };
    },
  };
}
