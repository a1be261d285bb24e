import type Stripe from 'stripe';
import * as assert from 'uvu/assert';
import { StripeGateway, type StripeGatewayOptions } from '../../server/adapters/payments-stripe/index.ts';
import { outcomeOfIntent } from '../../server/adapters/payments-stripe/outcomes.ts';
import { silentLogger } from '../../server/lib/log.ts';
import type { PaymentGateway } from '../../server/ports/payments.ts';
import { contractSuite } from '../support/contract.ts';
import { FakeStripe, signWebhook, webhookEvent, type RecordedRequest } from '../support/fake-stripe.ts';
import { chargeOf, paymentsContract, rejection } from './payments.contract.ts';

// Stripe cannot be reached from here: every test talks to the local stand-in in test/support/fake-stripe.ts.
const SECRET_KEY = 'sk_test_dojo';
const WEBHOOK_SECRET = 'whsec_dojo';
/** Long enough that 10 concurrent requests under one key meet Stripe's 409 and the SDK's retry. */
const LATENCY_MS = 10;

const gatewayFor = (fake: FakeStripe, options: Partial<StripeGatewayOptions> = {}) =>
  new StripeGateway({
    secretKey: SECRET_KEY,
    webhookSecret: WEBHOOK_SECRET,
    apiUrl: fake.url,
    logger: silentLogger(),
    ...options,
  });

paymentsContract('payments-stripe', async () => {
  const fake = await FakeStripe.start({ secretKey: SECRET_KEY, latencyMs: LATENCY_MS });
  const gateway = gatewayFor(fake);
  return {
    gateway,
    countCharges: async () => fake.intents().length,
    cleanup: async () => {
      await gateway.close();
      await fake.close();
    },
  };
});

const { s, made } = contractSuite('payments-stripe: requests, retries, webhooks', async () => {
  const fake = await FakeStripe.start({ secretKey: SECRET_KEY, latencyMs: LATENCY_MS });
  const opened: PaymentGateway[] = [];
  const open = (options: Partial<StripeGatewayOptions> = {}) => {
    const gateway = gatewayFor(fake, options);
    opened.push(gateway);
    return gateway;
  };
  return {
    fake,
    gateway: open(),
    open,
    /** The requests made under a charge's key or a key derived from it, in order. */
    sentFor: (key: string): RecordedRequest[] =>
      fake.requests.filter((r) => r.idempotencyKey === key || r.idempotencyKey?.startsWith(`${key}:`)),
    cleanup: async () => {
      await Promise.all(opened.map((g) => g.close()));
      await fake.close();
    },
  };
});

const INTENTS = '/v1/payment_intents';

s('a token charge: a method from the token, a customer, then a confirmed intent, each keyed', async (ctx) => {
  const { gateway, sentFor } = made(ctx);
  const request = chargeOf();
  const outcome = await gateway.charge(request);
  const sent = sentFor(request.idempotencyKey);
  const key = request.idempotencyKey;
  assert.equal(
    sent.map((r) => [r.method, r.path, r.idempotencyKey]),
    [
      ['POST', '/v1/payment_methods', `${key}:payment_method`],
      ['POST', '/v1/customers', `${key}:customer`],
      ['POST', INTENTS, key],
    ],
  );
  for (const r of sent) {
    assert.is(r.headers.authorization, `Bearer ${SECRET_KEY}`);
    assert.is(r.headers['content-type'], 'application/x-www-form-urlencoded');
  }
  const [method, customer, intent] = sent.map((r) => r.params);
  assert.equal(method, { type: 'card', card: { token: 'tok_visa' } });
  assert.equal(customer, { metadata: request.metadata });
  assert.ok(intent);
  assert.is(intent.amount, '1900', 'integer cents');
  assert.is(intent.currency, 'usd');
  assert.is(intent.confirm, 'true');
  assert.is(intent.description, request.description);
  assert.equal(intent.metadata, request.metadata);
  assert.is(intent.setup_future_usage, 'off_session');
  assert.is(intent.error_on_requires_action, 'true');
  assert.equal(intent.allowed_payment_method_types, { 0: 'card' });
  assert.equal(outcome, {
    status: 'succeeded',
    chargeId: made(ctx).fake.intents().at(-1)?.id,
    reusableMethod: `${intent.customer}/${intent.payment_method}`,
  });
});

s('a kept method: one intent naming its customer, off_session=true for a renewal', async (ctx) => {
  const { gateway, sentFor } = made(ctx);
  const first = await gateway.charge(chargeOf());
  const method = first.status === 'succeeded' ? (first.reusableMethod ?? '') : '';
  const renewal = chargeOf({ source: { method }, offSession: true });
  assert.is((await gateway.charge(renewal)).status, 'succeeded');
  const sent = sentFor(renewal.idempotencyKey);
  assert.equal(
    sent.map((r) => r.path),
    [INTENTS],
  );
  const [customer, paymentMethod] = method.split('/');
  assert.is(sent[0]?.params.customer, customer);
  assert.is(sent[0]?.params.payment_method, paymentMethod);
  assert.is(sent[0]?.params.off_session, 'true');
  assert.is(sent[0]?.params.setup_future_usage, undefined);
});

s('a 500 is retried by the SDK under the same key, and charges once', async (ctx) => {
  const { gateway, fake, sentFor } = made(ctx);
  const request = chargeOf();
  const before = fake.intents().length;
  fake.failNext('error500', 1, INTENTS);
  assert.is((await gateway.charge(request)).status, 'succeeded');
  const attempts = sentFor(request.idempotencyKey).filter((r) => r.path === INTENTS);
  assert.equal(
    attempts.map((r) => [r.idempotencyKey, r.status]),
    [
      [request.idempotencyKey, 500],
      [request.idempotencyKey, 200],
    ],
  );
  assert.is(fake.intents().length - before, 1);
});

s('an answer lost after the charge: the retry is answered by the replay', async (ctx) => {
  const { gateway, fake, sentFor } = made(ctx);
  const request = chargeOf();
  const before = fake.intents().length;
  fake.failNext('lose-answer', 1, INTENTS);
  const outcome = await gateway.charge(request);
  const attempts = sentFor(request.idempotencyKey).filter((r) => r.path === INTENTS);
  assert.equal(
    attempts.map((r) => [r.status, r.replayed]),
    [
      [undefined, undefined],
      [200, true],
    ],
  );
  assert.is(fake.intents().length - before, 1);
  assert.is(outcome.status === 'succeeded' && outcome.chargeId, fake.intents().at(-1)?.id);
});

s(
  'Stripe failing past the retries: a retriable UNAVAILABLE; later the same key charges once',
  async (ctx) => {
    const { gateway, fake, sentFor } = made(ctx);
    const request = chargeOf();
    fake.failNext('error500', 3, INTENTS);
    const error = await rejection(gateway.charge(request));
    assert.is(error.kind, 'UNAVAILABLE');
    assert.is(error.retriable, true);
    assert.is(error.code, 'PAYMENT.GATEWAY_UNAVAILABLE');
    assert.is(sentFor(request.idempotencyKey).filter((r) => r.path === INTENTS).length, 3, '1 + 2 retries');
    const before = fake.intents().length;
    assert.is((await gateway.charge(request)).status, 'succeeded');
    assert.is(fake.intents().length - before, 1);
  },
);

s('no answer in time: a retriable TIMEOUT', async (ctx) => {
  const { fake, open } = made(ctx);
  const gateway = open({ timeoutMs: 200, maxNetworkRetries: 0 });
  fake.failNext('hang', 1);
  const error = await rejection(gateway.charge(chargeOf()));
  assert.is(error.kind, 'TIMEOUT');
  assert.is(error.code, 'PAYMENT.GATEWAY_TIMEOUT');
  assert.is(error.retriable, true);
});

s('connections closed without an answer: a retriable UNAVAILABLE', async (ctx) => {
  const { fake, open } = made(ctx);
  const gateway = open({ maxNetworkRetries: 0 });
  // The SDK retries a closed connection once even without retries: two closes exhaust it.
  fake.failNext('close', 2);
  const error = await rejection(gateway.charge(chargeOf()));
  assert.is(error.kind, 'UNAVAILABLE');
  assert.is(error.retriable, true);
});

s('a secret key Stripe refuses is our misconfiguration: INTERNAL, not retriable', async (ctx) => {
  const error = await rejection(made(ctx).open({ secretKey: 'sk_test_wrong' }).charge(chargeOf()));
  assert.is(error.code, 'PAYMENT.GATEWAY_MISCONFIGURED');
  assert.is(error.kind, 'INTERNAL');
  assert.is(error.retriable, false);
  assert.not.match(error.message, 'sk_test');
});

s('a card that needs 3-D Secure is declined (authentication_required), not left pending', async (ctx) => {
  const outcome = await made(ctx).gateway.charge(
    chargeOf({ source: { token: 'tok_threeDSecure2Required' } }),
  );
  assert.is(outcome.status === 'declined' && outcome.code, 'authentication_required');
  assert.ok(outcome.status === 'declined' && outcome.chargeId?.startsWith('pi_'));
});

s('an intent processing or awaiting action is pending; a canceled one declined', () => {
  const intent = (status: string) =>
    ({ id: 'pi_1', status, last_payment_error: null }) as Stripe.PaymentIntent;
  assert.equal(outcomeOfIntent(intent('processing')), { status: 'pending', chargeId: 'pi_1' });
  assert.equal(outcomeOfIntent(intent('requires_action')), { status: 'pending', chargeId: 'pi_1' });
  assert.is(outcomeOfIntent(intent('canceled')).status, 'declined');
});

s('an API URL with a path is refused when the gateway is made', (ctx) => {
  assert.throws(() => made(ctx).open({ apiUrl: `${made(ctx).fake.url}/v1` }), /without a path/);
});

/** A signed delivery of an event about a payment intent. */
const delivery = (
  type: string,
  intent: object,
  sign: (payload: string) => string = (p) => signWebhook(p, WEBHOOK_SECRET),
) => {
  const payload = webhookEvent(type, { object: 'payment_intent', ...intent });
  return {
    body: Buffer.from(payload),
    headers: { 'stripe-signature': sign(payload) },
    id: JSON.parse(payload).id,
  };
};
const parse = (gateway: PaymentGateway, d: { body: Buffer; headers: Record<string, string> }) => {
  if (!gateway.parseWebhook) throw new Error('the Stripe gateway reads webhooks');
  return gateway.parseWebhook(d.body, d.headers);
};
const metadata = { tenantId: 'tenant-1', paymentId: 'payment-1' };

s('webhook: a signed payment_intent.succeeded is read as the charge’s success', (ctx) => {
  const d = delivery('payment_intent.succeeded', {
    id: 'pi_1',
    status: 'succeeded',
    customer: 'cus_1',
    payment_method: 'pm_1',
    metadata,
  });
  assert.equal(parse(made(ctx).gateway, d), {
    eventId: d.id,
    chargeId: 'pi_1',
    metadata,
    status: 'succeeded',
    reusableMethod: 'cus_1/pm_1',
  });
});

s('webhook: payment_intent.payment_failed is a decline with its code', (ctx) => {
  const d = delivery('payment_intent.payment_failed', {
    id: 'pi_2',
    status: 'requires_payment_method',
    metadata,
    last_payment_error: { type: 'card_error', code: 'card_declined', decline_code: 'insufficient_funds' },
  });
  assert.equal(parse(made(ctx).gateway, d), {
    eventId: d.id,
    chargeId: 'pi_2',
    metadata,
    status: 'declined',
    code: 'insufficient_funds',
  });
});

s('webhook: a forged, missing or stale signature, or a body that is not JSON, is INVALID', async (ctx) => {
  const { gateway } = made(ctx);
  const intent = { id: 'pi_3', status: 'succeeded', metadata };
  const stale = Math.floor(Date.now() / 1000) - 301;
  const cases = {
    forged: delivery('payment_intent.succeeded', intent, (p) => signWebhook(p, 'whsec_someone_else')),
    stale: delivery('payment_intent.succeeded', intent, (p) => signWebhook(p, WEBHOOK_SECRET, stale)),
    missing: { ...delivery('payment_intent.succeeded', intent), headers: {} },
    'not JSON': {
      body: Buffer.from('{"id":'),
      headers: { 'stripe-signature': signWebhook('{"id":', WEBHOOK_SECRET) },
    },
  };
  for (const [label, d] of Object.entries(cases)) {
    const error = await rejection(Promise.resolve().then(() => parse(gateway, d)));
    assert.is(error.kind, 'INVALID', label);
    assert.is(error.code, 'PAYMENT.WEBHOOK_SIGNATURE', label);
    assert.equal(
      error.fields.map((f) => f.path),
      ['stripe-signature'],
      label,
    );
  }
  const tampered = delivery('payment_intent.succeeded', intent);
  const body = Buffer.from(tampered.body.toString('utf8').replace('pi_3', 'pi_4'));
  assert.is(
    (await rejection(Promise.resolve().then(() => parse(gateway, { ...tampered, body })))).kind,
    'INVALID',
  );
});

s('webhook: an event about something else is undefined', (ctx) => {
  const d = delivery('payment_intent.created', { id: 'pi_5', status: 'requires_payment_method', metadata });
  assert.is(parse(made(ctx).gateway, d), undefined);
  const other = webhookEvent('customer.created', { id: 'cus_1', object: 'customer' });
  const headers = { 'stripe-signature': signWebhook(other, WEBHOOK_SECRET) };
  assert.is(parse(made(ctx).gateway, { body: Buffer.from(other), headers }), undefined);
});

s.run();
