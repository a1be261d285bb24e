import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_PLANS } from '../../../config/plans.ts';
import { isAppError } from '../../lib/errors.ts';
import { addPeriod, minorDigits, PriceList } from './prices.ts';

const prices = new PriceList(DEFAULT_PLANS);

test('the total must be the price exactly, in major units', () => {
  assert.is(prices.checkTotal('M', 9.99), 999);
  assert.is(prices.checkTotal('Y', 99.9), 9990);
  for (const bad of [9.98, 10, 9.991, 0, -9.99, 999]) {
    try {
      prices.checkTotal('M', bad);
      assert.unreachable(`${bad} was accepted`);
    } catch (e) {
      assert.ok(
        isAppError(e) && e.code === 'BILLING.TOTAL_MISMATCH' && e.fields[0]?.path === 'total',
        String(e),
      );
    }
  }
});

test('currencies keep their own number of minor digits', () => {
  assert.is(minorDigits('USD'), 2);
  assert.is(minorDigits('JPY'), 0);
  const yen = new PriceList([
    ...DEFAULT_PLANS.filter((p) => p.plan !== 'M'),
    {
      plan: 'M',
      priceCents: 1200,
      currency: 'JPY',
      period: 'month',
      limits: { members: 9, recording: true },
    },
  ]);
  assert.is(yen.checkTotal('M', 1200), 1200);
  assert.throws(() => yen.checkTotal('M', 12));
});

test('a month later keeps the day, clamped to the month’s last', () => {
  assert.is(addPeriod(new Date('2026-01-31T10:00:00Z'), 'month').toISOString(), '2026-02-28T10:00:00.000Z');
  assert.is(addPeriod(new Date('2028-01-31T10:00:00Z'), 'month').toISOString(), '2028-02-29T10:00:00.000Z');
  assert.is(addPeriod(new Date('2026-12-15T00:00:00Z'), 'month').toISOString(), '2027-01-15T00:00:00.000Z');
  assert.is(addPeriod(new Date('2028-02-29T00:00:00Z'), 'year').toISOString(), '2029-02-28T00:00:00.000Z');
});

test('every period is at least 28 days and at most 366 days long, and strictly later', () => {
  fc.assert(
    fc.property(
      fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }),
      (d) => {
        const month = (addPeriod(d, 'month').getTime() - d.getTime()) / 86_400_000;
        const year = (addPeriod(d, 'year').getTime() - d.getTime()) / 86_400_000;
        return month >= 28 && month <= 31 && year >= 365 && year <= 366;
      },
    ),
  );
});

test.run();
