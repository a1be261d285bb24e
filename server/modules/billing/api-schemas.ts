import { z } from 'zod';
import { PAID_PLANS, PLAN_NAMES } from '../../../config/plans.ts';

export { errorResponse as err } from '../../http/problem.ts';

const uuid = z.uuid();

export const subscription = z.object({
  plan: z.enum(PLAN_NAMES),
  status: z.enum(['ACTIVE', 'PAST_DUE']),
  expiresAt: z.iso.datetime().nullable().describe('Paid until; null on FREE'),
  autoRenew: z.boolean(),
});

export const plansResponse = z.object({
  plans: z.array(
    z.object({
      plan: z.enum(PLAN_NAMES),
      priceCents: z.number().int().min(0).describe('Integer minor units of currency'),
      currency: z.string().describe('ISO 4217'),
      period: z.enum(['month', 'year']).nullable(),
      limits: z.object({
        members: z.number().int().describe('Members of the tenant, the owner included'),
        recording: z.boolean().describe('Whether dojos can be recorded'),
      }),
    }),
  ),
});

export const paymentBody = z.strictObject({
  plan: z.enum(PAID_PLANS),
  total: z
    .number()
    .positive()
    .describe("The plan's price in the currency's major unit (9.99); must equal it"),
  paymentGateway: z.string().min(1).max(50).describe('`sandbox`, or a configured gateway such as `stripe`'),
  paymentToken: z
    .string()
    .min(1)
    .max(255)
    .describe("The gateway's card token (sandbox: Stripe's test tokens)"),
  autoRenew: z.boolean().optional().describe('Charge again before expiry (default false)'),
});

export const paymentResponse = z.object({
  success: z.literal(true),
  paymentId: uuid,
  subscription,
});

export const pendingResponse = z.object({
  success: z.literal(false),
  pending: z.literal(true),
  paymentId: uuid,
  subscription,
});

export const billingQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(4000).optional().describe("The previous page's nextCursor"),
});

export const payment = z.object({
  paymentId: uuid,
  plan: z.enum(PLAN_NAMES),
  totalCents: z.number().int(),
  currency: z.string(),
  status: z.enum(['SUCCEEDED', 'DECLINED', 'PENDING', 'REFUNDED']),
  paymentGateway: z.string(),
  kind: z.enum(['PURCHASE', 'RENEWAL']),
  declineCode: z.string().nullable(),
  created: z.iso.datetime(),
});

export const billingResponse = z.object({
  subscription,
  payments: z.array(payment),
  nextCursor: z.string().nullable(),
});

export const autoRenewBody = z.strictObject({ autoRenew: z.boolean() });
export const autoRenewResponse = z.object({ subscription });

export const webhookParams = z.strictObject({ gateway: z.string().min(1).max(100) });
export const webhookBody = z.record(z.string(), z.unknown());
export const webhookResponse = z.object({ received: z.literal(true) });
