import type { Entitlements } from '../../capabilities.ts';
import type { Logger } from '../../lib/log.ts';
import type { PaymentGateway } from '../../ports/payments.ts';
import type { IdempotencyKeys } from './idempotency.ts';
import type { Lifecycle } from './lifecycle.ts';
import type { BillingNotices } from './notices.ts';
import type { PriceList } from './prices.ts';
import type { PaymentsRepo } from './repo.ts';
import type { SubscriptionsRepo } from './subscriptions.ts';

/** The billing module's parts, built once per system in index.ts and handed to its flows. */
export interface BillingParts {
  readonly prices: PriceList;
  readonly gateways: ReadonlyMap<string, PaymentGateway>;
  readonly keys: IdempotencyKeys;
  readonly payments: PaymentsRepo;
  readonly subscriptions: SubscriptionsRepo;
  readonly lifecycle: Lifecycle;
  readonly notices: BillingNotices;
  readonly entitlements: Entitlements;
  readonly logger: Logger;
  readonly now: () => Date;
}
