import { callerOf } from '../../http/auth.ts';
import { defineEndpoint, reply, type AnyEndpoint } from '../../http/endpoint.ts';
import type { HttpRequest } from '../../http/types.ts';
import { conflict, invalid, notFound } from '../../lib/errors.ts';
import * as S from './api-schemas.ts';
import type { BillingParts } from './parts.ts';
import { purchase } from './purchase.ts';
import { applyPaymentEvent } from './webhook.ts';

const TAGS = ['billing'];
const MANAGERS = { roles: ['owner', 'admin'] } as const;
const PRINTABLE = /^[\x20-\x7e]{1,255}$/;

/** The `Idempotency-Key` header: required, 1–255 printable ASCII characters. */
function idempotencyKeyOf(req: HttpRequest): string {
  const raw = req.headers['idempotency-key'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || !PRINTABLE.test(value)) {
    throw invalid('BILLING.IDEMPOTENCY_KEY_REQUIRED', 'A payment needs an Idempotency-Key header.', [
      {
        path: 'Idempotency-Key',
        message: 'Required: 1–255 printable ASCII characters, new for each payment',
      },
    ]);
  }
  return value;
}

export function billingEndpoints(parts: BillingParts): AnyEndpoint[] {
  const adminOnly = S.err("Only the tenant's owner or admins (AUTH.ROLE_REQUIRED)");
  return [
    defineEndpoint({
      method: 'get',
      path: '/v1/plans',
      summary: 'The plans, their prices and what each buys',
      tags: TAGS,
      responses: { 200: { description: 'The price list', schema: S.plansResponse } },
      handler: () => reply(200, { plans: parts.prices.all() }),
    }),
    defineEndpoint({
      method: 'post',
      path: '/v1/payment',
      summary: 'Buy or extend a plan',
      description:
        'Needs `Idempotency-Key`. The same key with the same body answers the first answer again and charges ' +
        'once; with another body it is 409; while the first request runs, 409 with Retry-After. Keys are per ' +
        'tenant and kept 48 h. Paying before expiry extends from the current expiresAt. 202 when the gateway ' +
        'has not decided yet (its webhook applies the outcome).',
      tags: TAGS,
      auth: MANAGERS,
      body: S.paymentBody,
      responses: {
        201: { description: 'Paid; the subscription it bought', schema: S.paymentResponse },
        202: { description: 'Accepted, the gateway decides later', schema: S.pendingResponse },
        400: S.err('Invalid input, a total that is not the price, an unknown gateway, a missing key'),
        402: S.err('Declined by the gateway (BILLING.PAYMENT_DECLINED); nothing was activated'),
        403: adminOnly,
        409: S.err('The key was used with another body, or its first request is still running'),
        503: S.err('The gateway could not be reached; retry with the same key'),
      },
      handler: async ({ body, req, res }) => {
        const key = idempotencyKeyOf(req);
        const caller = callerOf(res);
        const out = await purchase(parts, caller, body, key);
        return reply(out.status, out.body);
      },
    }),
    defineEndpoint({
      method: 'get',
      path: '/v1/billing',
      summary: "The tenant's subscription and its payments, newest first",
      tags: TAGS,
      auth: MANAGERS,
      query: S.billingQuery,
      responses: {
        200: { description: 'Subscription and a page of payments', schema: S.billingResponse },
        400: S.err('Invalid query or cursor'),
        403: adminOnly,
      },
      handler: async ({ query, res }) => {
        const { tenantId } = callerOf(res);
        const [plan, page] = await Promise.all([
          parts.entitlements.of(tenantId),
          parts.payments.page(tenantId, query.limit, query.cursor),
        ]);
        return reply(200, {
          subscription: plan.subscription,
          payments: page.payments.map((p) => ({
            paymentId: p.paymentId,
            plan: p.plan,
            totalCents: p.totalCents,
            currency: p.currency,
            status: p.status,
            paymentGateway: p.gateway,
            kind: p.kind,
            declineCode: p.declineCode,
            created: p.created.toISOString(),
          })),
          nextCursor: page.nextCursor,
        });
      },
    }),
    defineEndpoint({
      method: 'post',
      path: '/v1/billing/auto-renew',
      summary: 'Turn auto-renew on or off',
      description: 'On needs a paid plan and a card the gateway keeps (409 otherwise).',
      tags: TAGS,
      auth: MANAGERS,
      body: S.autoRenewBody,
      responses: {
        200: { description: 'The subscription', schema: S.autoRenewResponse },
        400: S.err('Invalid body'),
        403: adminOnly,
        409: S.err('Nothing to renew: FREE, or no kept card (BILLING.NOTHING_TO_RENEW)'),
      },
      handler: async ({ body, res }) => {
        const { tenantId } = callerOf(res);
        const current = await parts.subscriptions.get(tenantId);
        if (body.autoRenew && (current.plan === 'FREE' || !current.method)) {
          throw conflict(
            'BILLING.NOTHING_TO_RENEW',
            'Auto-renew needs a paid plan bought with a card the gateway keeps.',
          );
        }
        await parts.lifecycle.setAutoRenew(tenantId, body.autoRenew);
        return reply(200, { subscription: (await parts.entitlements.of(tenantId)).subscription });
      },
    }),
    defineEndpoint({
      method: 'post',
      path: '/v1/billing/webhooks/:gateway',
      summary: "A payment gateway's webhook (Stripe: payment_intent.succeeded / payment_failed)",
      description: "Verified by the gateway's signature (400 when it does not verify); applied idempotently.",
      tags: TAGS,
      params: S.webhookParams,
      body: S.webhookBody,
      keepRawBody: true,
      responses: {
        200: { description: 'Received', schema: S.webhookResponse },
        400: S.err('Bad signature or body'),
        404: S.err('No such gateway, or it has no webhooks'),
      },
      handler: async ({ params, rawBody, req }) => {
        const gateway = parts.gateways.get(params.gateway);
        if (!gateway?.parseWebhook) throw notFound('BILLING.NO_WEBHOOK', 'No such gateway webhook.');
        const event = gateway.parseWebhook(rawBody ?? Buffer.alloc(0), req.headers);
        if (event) await applyPaymentEvent(parts, gateway.name, event);
        return reply(200, { received: true });
      },
    }),
  ];
}
