/**
 * Billing through the Stripe adapter end to end, against the local Stripe stand-in (Stripe itself cannot
 * be reached from here: see server/adapters/payments-stripe/README.md).
 */
import { randomUUID } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createAccountsModule } from '../../server/modules/accounts/index.ts';
import { MODULES } from '../../server/modules-list.ts';
import { CHEAP_HASHING } from '../accounts/harness.ts';
import { signUpAndLogin, type LoggedIn } from '../support/accounts.ts';
import { FakeStripe, signWebhook, webhookEvent } from '../support/fake-stripe.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';
import { call, MONTHLY, pay } from './harness.ts';

const SECRET_KEY = 'sk_test_dojo';
const WEBHOOK_SECRET = 'whsec_dojo_test';
const s = suite('billing through Stripe (local stand-in)');
let fake: FakeStripe;
let system: TestSystem;
let owner: LoggedIn;
let paymentId = '';

const webhook = (body: string, signature: string) =>
  fetch(`${system.url}/v1/billing/webhooks/stripe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': signature },
    body,
  });

s.before(async () => {
  fake = await FakeStripe.start({ secretKey: SECRET_KEY });
  system = await startTestSystem({
    env: {
      PAYMENT_GATEWAYS: 'stripe',
      STRIPE_SECRET_KEY: SECRET_KEY,
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_API_URL: fake.url,
    },
    modules: MODULES.map((m) =>
      m.name === 'accounts' ? createAccountsModule({ hashing: CHEAP_HASHING }) : m,
    ),
  });
  owner = await signUpAndLogin(system, { firstName: 'Stella' });
});
s.after(async () => {
  await system?.cleanup();
  await fake?.close();
});

s('a payment is a confirmed PaymentIntent with our amount, currency, metadata and derived key', async () => {
  const key = randomUUID();
  const res = await pay(system.url, owner, { ...MONTHLY, paymentGateway: 'stripe' }, key);
  assert.is(res.status, 201, res.text);
  paymentId = String(res.body.paymentId);
  const intents = fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/payment_intents');
  assert.is(intents.length, 1);
  const sent = intents[0];
  assert.is(sent?.params.amount, '999');
  assert.is(sent?.params.currency, 'usd');
  assert.equal(sent?.params.metadata, { tenantId: owner.tenantId, paymentId, plan: 'M' });
  assert.match(String(sent?.idempotencyKey), new RegExp(`^dojo-pay-${owner.tenantId}-[0-9a-f]{40}$`));
  assert.not.match(String(sent?.idempotencyKey), key, "the client's key is not handed on as it is");
  const replay = await pay(system.url, owner, { ...MONTHLY, paymentGateway: 'stripe' }, key);
  assert.is(replay.text, res.text);
  assert.is(fake.intents().length, 1, 'the replay never reached Stripe');
});

s('a card Stripe declines is a 402 and nothing is activated', async () => {
  const other = await signUpAndLogin(system, { firstName: 'Dee' });
  const res = await pay(
    system.url,
    other,
    { ...MONTHLY, paymentGateway: 'stripe', paymentToken: 'tok_chargeDeclined' },
    randomUUID(),
  );
  assert.is(res.status, 402, res.text);
  const billing = await call(system.url, 'GET', '/v1/billing', other);
  assert.is((billing.body.subscription as { plan: string }).plan, 'FREE');
  assert.is((billing.body.payments as { status: string }[])[0]?.status, 'DECLINED');
});

s('a webhook with a forged signature is a 400 naming the header', async () => {
  const body = webhookEvent('payment_intent.succeeded', {
    id: 'pi_x',
    object: 'payment_intent',
    metadata: {},
  });
  const res = await webhook(body, signWebhook(body, 'whsec_not_ours'));
  assert.is(res.status, 400);
  const problem = (await res.json()) as { errors: { path: string }[] };
  assert.is(problem.errors[0]?.path, 'stripe-signature');
  assert.is((await webhook(body, '')).status, 400);
});

s('a signed success for a payment already applied changes nothing, however often it comes', async () => {
  const before = (await call(system.url, 'GET', '/v1/billing', owner)).body;
  const intent = fake.intents()[0] as { id: string; metadata: unknown };
  const body = webhookEvent('payment_intent.succeeded', {
    ...intent,
    object: 'payment_intent',
    status: 'succeeded',
  });
  for (let i = 0; i < 3; i++) assert.is((await webhook(body, signWebhook(body, WEBHOOK_SECRET))).status, 200);
  const failed = webhookEvent('payment_intent.payment_failed', {
    ...intent,
    object: 'payment_intent',
    status: 'requires_payment_method',
    last_payment_error: { code: 'card_declined', decline_code: 'generic_decline' },
  });
  assert.is((await webhook(failed, signWebhook(failed, WEBHOOK_SECRET))).status, 200);
  const after = (await call(system.url, 'GET', '/v1/billing', owner)).body;
  assert.equal(after, before, 'the subscription and the payments are as they were');
});

s('an unrelated event is acknowledged; a gateway without webhooks is a 404', async () => {
  const body = webhookEvent('customer.created', { id: 'cus_1', object: 'customer' });
  assert.is((await webhook(body, signWebhook(body, WEBHOOK_SECRET))).status, 200);
  const sandbox = await fetch(`${system.url}/v1/billing/webhooks/sandbox`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  assert.is(sandbox.status, 404);
});

s.run();
