import type { Migration } from '../../ports/store.ts';

export const TABLES = {
  /** One row per (tenant, Idempotency-Key): the claim, then the first answer (see idempotency.ts). */
  idempotency: 'billing_idempotency',
  /** Every payment the gateway answered, newest first per tenant: GET /v1/billing and the billing report. */
  payments: 'billing_payments',
  /** A payment's place in its tenant's list (its `created`), claimed once: a retry writes the same row. */
  paymentKeys: 'billing_payment_keys',
  /** The tenant's subscription (the seed's Billing table); no row is FREE. */
  subscriptions: 'billing_subscriptions',
} as const;

/** Stripe keeps idempotency keys 24 h; we keep them twice as long. */
export const IDEMPOTENCY_TTL_SECONDS = 48 * 3600;

export const BILLING_MIGRATIONS: readonly Migration[] = [
  {
    id: '0500_billing',
    createTables: [
      {
        name: TABLES.idempotency,
        columns: {
          tenant_id: 'uuid',
          idem_key: 'text',
          fingerprint: 'text',
          state: 'text',
          owner: 'text',
          lease_until: 'timestamp',
          payment_id: 'uuid',
          created: 'timestamp',
          answer: 'json',
        },
        partitionKey: ['tenant_id', 'idem_key'],
      },
      {
        name: TABLES.payments,
        columns: {
          tenant_id: 'uuid',
          created: 'timestamp',
          payment_id: 'uuid',
          kind: 'text',
          plan: 'text',
          total_cents: 'bigint',
          currency: 'text',
          status: 'text',
          gateway: 'text',
          charge_id: 'text',
          decline_code: 'text',
          user_id: 'uuid',
        },
        partitionKey: ['tenant_id'],
        clusteringKey: [
          { column: 'created', order: 'desc' },
          { column: 'payment_id', order: 'asc' },
        ],
      },
      {
        name: TABLES.paymentKeys,
        columns: { payment_id: 'uuid', tenant_id: 'uuid', created: 'timestamp' },
        partitionKey: ['payment_id'],
      },
      {
        name: TABLES.subscriptions,
        columns: {
          tenant_id: 'uuid',
          version: 'int',
          plan: 'text',
          status: 'text',
          expires_at: 'timestamp',
          auto_renew: 'boolean',
          gateway: 'text',
          method: 'text',
          renew_attempt: 'int',
          past_due_since: 'timestamp',
          applied: 'list<text>',
          updated: 'timestamp',
        },
        partitionKey: ['tenant_id'],
      },
    ],
  },
];
