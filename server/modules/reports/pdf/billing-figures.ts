/** The key figures of the billing report, each with the sentence that explains it. */
import type { BillingReportData } from './data.ts';
import { count, formatDate, formatNumber, humanize, type Money } from './format.ts';
import { COLOR, type Figure } from './layout.ts';

/** Subscription statuses (Stripe's words) as a manager reads them: a name, and what it means. */
const STATUS: Readonly<Record<string, readonly [string, string]>> = {
  active: ['Active', 'the subscription is paid and in use.'],
  trialing: ['Trial', 'the workspace is in its free trial.'],
  past_due: ['Past due', 'the last payment failed; the payment provider is retrying it.'],
  unpaid: ['Unpaid', 'payments failed and were not retried; the subscription is on hold.'],
  canceled: ['Cancelled', 'the subscription was cancelled and does not renew.'],
  cancelled: ['Cancelled', 'the subscription was cancelled and does not renew.'],
  expired: ['Expired', 'the subscription ran out and was not renewed.'],
  incomplete: ['Incomplete', 'the first payment has not gone through yet.'],
  paused: ['Paused', 'the subscription is paused; nothing is charged.'],
};

function status(s: BillingReportData['subscription']): readonly [string, string] {
  return (
    STATUS[s.status.trim().toLowerCase()] ?? [humanize(s.status), 'the status the payment provider reports.']
  );
}

function revenue({ payments, year }: BillingReportData, cash: Money): Figure {
  return {
    value: cash.format(payments.totalCents),
    label: 'Revenue',
    explanation: payments.count
      ? `${cash.format(payments.totalCents)} was paid in ${year} in ${count(payments.count, 'successful payment')}.`
      : `No payments were received in ${year}.`,
  };
}

function paymentCount({ payments, year }: BillingReportData): Figure {
  return {
    value: formatNumber(payments.count),
    label: 'Payments',
    explanation: payments.count
      ? `${count(payments.count, 'payment')} went through in ${year}.`
      : `No payment went through in ${year}.`,
  };
}

function failed({ failedPayments, year }: BillingReportData): Figure {
  return {
    value: formatNumber(failedPayments),
    label: 'Failed payments',
    explanation: failedPayments
      ? `${count(failedPayments, 'payment')} failed in ${year} (declined or expired card) and brought no revenue.`
      : `No payment failed in ${year}.`,
    color: failedPayments ? COLOR.warn : COLOR.second,
  };
}

function plan({ subscription: s }: BillingReportData): Figure {
  return {
    value: humanize(s.plan),
    label: 'Plan',
    explanation: `The workspace is on the ${humanize(s.plan)} plan (${status(s)[0].toLowerCase()}).`,
    color: COLOR.second,
  };
}

/** The title page's four: revenue, payments, failed payments, plan. */
export function glanceFigures(data: BillingReportData, cash: Money): Figure[] {
  return [revenue(data, cash), paymentCount(data), failed(data), plan(data)];
}

export function subscriptionFigures(data: BillingReportData): Figure[] {
  const { subscription: s } = data;
  const [name, meaning] = status(s);
  const good = ['active', 'trialing'].includes(s.status.trim().toLowerCase());
  const expires = s.expiresAt ? formatDate(s.expiresAt) : null;
  return [
    { ...plan(data), color: COLOR.accent },
    {
      value: name,
      label: 'Status',
      explanation: `${name}: ${meaning}`,
      color: good ? COLOR.accent : COLOR.warn,
    },
    {
      value: expires ?? '—',
      label: s.autoRenew ? 'Renews on' : 'Ends on',
      explanation: expires
        ? `The current period ends on ${expires}${s.autoRenew ? ', when it renews by itself.' : '; it does not renew.'}`
        : 'The subscription has no end date.',
      color: COLOR.second,
    },
    {
      value: s.autoRenew ? 'On' : 'Off',
      label: 'Automatic renewal',
      explanation: s.autoRenew
        ? 'The subscription renews at the end of each period, and the card on file is charged.'
        : 'The subscription stops at the end of the period unless an owner renews it.',
      color: COLOR.second,
    },
  ];
}

export function paymentFigures(data: BillingReportData, cash: Money): Figure[] {
  const { payments, year } = data;
  const average = payments.count ? Math.round(payments.totalCents / payments.count) : 0;
  return [
    revenue(data, cash),
    paymentCount(data),
    {
      value: payments.count ? cash.format(average) : '—',
      label: 'Average payment',
      explanation: payments.count
        ? `A successful payment brought ${cash.format(average)} on average.`
        : `No successful payment in ${year}, so no average.`,
    },
    failed(data),
  ];
}
