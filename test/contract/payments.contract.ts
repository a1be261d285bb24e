import * as assert from 'uvu/assert';
import { isAppError, type AppError } from '../../server/lib/errors.ts';
import type { ChargeOutcome, ChargeRequest, PaymentGateway } from '../../server/ports/payments.ts';
import { contractSuite } from '../support/contract.ts';
import { uniqueName } from '../support/services.ts';

export interface MadeGateway {
  readonly gateway: PaymentGateway;
  /** Charges the gateway has made (succeeded or declined), each once however often its key was answered. */
  countCharges(): Promise<number>;
  cleanup(): Promise<void>;
}

/** A charge of 19.00 USD under a fresh key, with what the test changes. */
export function chargeOf(overrides: Partial<ChargeRequest> = {}): ChargeRequest {
  return {
    idempotencyKey: uniqueName('charge'),
    amountCents: 1900,
    currency: 'usd',
    source: { token: 'tok_visa' },
    description: 'Dojo Pro, monthly',
    metadata: { tenantId: 'tenant-1', paymentId: uniqueName('payment') },
    ...overrides,
  };
}

/** The AppError a promise rejects with (fails the test when it resolves or rejects with anything else). */
export async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    (value) => new Error(`expected a rejection, resolved with ${JSON.stringify(value)}`),
    (e: unknown) => e,
  );
  if (!isAppError(error)) throw error;
  return error;
}

function succeeded(outcome: ChargeOutcome) {
  if (outcome.status !== 'succeeded') throw new Error(`not succeeded: ${JSON.stringify(outcome)}`);
  return outcome;
}

/** The method a successful charge kept, for a renewal. */
function keptMethod(outcome: ChargeOutcome): string {
  const method = succeeded(outcome).reusableMethod;
  if (!method) throw new Error('the charge kept no method');
  return method;
}

/** The behaviour every PaymentGateway adapter must share; registers one uvu suite and runs it. */
export function paymentsContract(label: string, make: () => Promise<MadeGateway>) {
  const { s, made } = contractSuite(`${label}: PaymentGateway contract`, make);

  /** Runs `body` and answers how many charges the gateway made meanwhile. */
  const chargesDuring = async (ctx: Parameters<typeof made>[0], body: () => Promise<void>) => {
    const before = await made(ctx).countCharges();
    await body();
    return (await made(ctx).countCharges()) - before;
  };

  s('health answers', async (ctx) => {
    await made(ctx).gateway.health();
  });

  s('tok_visa succeeds with a charge id and a method kept for later', async (ctx) => {
    const outcome = succeeded(await made(ctx).gateway.charge(chargeOf()));
    assert.ok(outcome.chargeId);
    assert.ok(outcome.reusableMethod, 'a method to charge again');
  });

  s('the kept method is charged again, off session, as another charge', async (ctx) => {
    const { gateway } = made(ctx);
    const first = succeeded(await gateway.charge(chargeOf({ source: { token: 'tok_mastercard' } })));
    const method = keptMethod(first);
    const renewal = succeeded(await gateway.charge(chargeOf({ source: { method }, offSession: true })));
    assert.is.not(renewal.chargeId, first.chargeId);
    const again = succeeded(await gateway.charge(chargeOf({ source: { method }, offSession: true })));
    assert.is.not(again.chargeId, renewal.chargeId, 'a kept method serves more than one renewal');
  });

  s('declining tokens decline with their codes', async (ctx) => {
    const { gateway } = made(ctx);
    const declined = await gateway.charge(chargeOf({ source: { token: 'tok_chargeDeclined' } }));
    assert.is(declined.status, 'declined');
    if (declined.status === 'declined') {
      assert.is(declined.code, 'card_declined');
      assert.ok(declined.message);
    }
    const poor = await gateway.charge(chargeOf({ source: { token: 'tok_insufficientFunds' } }));
    assert.is(poor.status === 'declined' && poor.code, 'insufficient_funds');
  });

  s('tok_chargeCustomerFail pays once, and its kept method declines off session', async (ctx) => {
    const { gateway } = made(ctx);
    const method = keptMethod(
      await gateway.charge(chargeOf({ source: { token: 'tok_chargeCustomerFail' } })),
    );
    const renewal = await gateway.charge(chargeOf({ source: { method }, offSession: true }));
    assert.is(renewal.status === 'declined' && renewal.code, 'card_declined');
  });

  s(
    'an unknown token is the client’s mistake: INVALID, naming paymentToken, nothing charged',
    async (ctx) => {
      const charged = await chargesDuring(ctx, async () => {
        const error = await rejection(
          made(ctx).gateway.charge(chargeOf({ source: { token: 'tok_nonsense' } })),
        );
        assert.is(error.kind, 'INVALID');
        assert.is(error.code, 'PAYMENT.TOKEN_INVALID');
        assert.equal(
          error.fields.map((f) => f.path),
          ['paymentToken'],
        );
      });
      assert.is(charged, 0);
    },
  );

  s('an amount that is not a positive whole number of cents is refused before charging', async (ctx) => {
    for (const amountCents of [0, -100, 19.5]) {
      const error = await rejection(made(ctx).gateway.charge(chargeOf({ amountCents })));
      assert.is(error.code, 'PAYMENT.AMOUNT_INVALID', String(amountCents));
    }
  });

  s('the same key twice answers the first outcome and charges once', async (ctx) => {
    const request = chargeOf();
    let outcomes: ChargeOutcome[] = [];
    const charged = await chargesDuring(ctx, async () => {
      outcomes = [await made(ctx).gateway.charge(request), await made(ctx).gateway.charge(request)];
    });
    assert.is(charged, 1);
    assert.equal(outcomes[1], outcomes[0]);
  });

  s('a declined key answers its decline again, charging once', async (ctx) => {
    const request = chargeOf({ source: { token: 'tok_chargeDeclined' } });
    let outcomes: ChargeOutcome[] = [];
    const charged = await chargesDuring(ctx, async () => {
      outcomes = [await made(ctx).gateway.charge(request), await made(ctx).gateway.charge(request)];
    });
    assert.is(charged, 1);
    assert.is(outcomes[0]?.status, 'declined');
    assert.equal(outcomes[1], outcomes[0]);
  });

  s('10 concurrent charges under one key: one charge, one charge id', async (ctx) => {
    const request = chargeOf();
    let outcomes: ChargeOutcome[] = [];
    const charged = await chargesDuring(ctx, async () => {
      outcomes = await Promise.all(Array.from({ length: 10 }, () => made(ctx).gateway.charge(request)));
    });
    assert.is(charged, 1);
    const ids = new Set(outcomes.map((o) => succeeded(o).chargeId));
    assert.is(ids.size, 1, [...ids].join(', '));
  });

  s('a key reused with another amount or source is refused', async (ctx) => {
    const { gateway } = made(ctx);
    const request = chargeOf();
    await gateway.charge(request);
    for (const changed of [{ amountCents: 2900 }, { source: { token: 'tok_mastercard' } }]) {
      const error = await rejection(gateway.charge({ ...request, ...changed }));
      assert.is(error.kind, 'INVALID');
      assert.is(error.code, 'PAYMENT.IDEMPOTENCY_MISMATCH');
    }
  });

  s('different keys are different charges', async (ctx) => {
    let ids: string[] = [];
    const charged = await chargesDuring(ctx, async () => {
      const outcomes = [
        await made(ctx).gateway.charge(chargeOf()),
        await made(ctx).gateway.charge(chargeOf()),
      ];
      ids = outcomes.map((o) => succeeded(o).chargeId);
    });
    assert.is(charged, 2);
    assert.is.not(ids[0], ids[1]);
  });

  s.run();
}
