/**
 * Plan and billing (owner/admin): the subscription, the price list, paying for a plan with the sandbox
 * gateway's test cards, auto-renew, and the payment history (cursor pages). Each attempt carries an
 * Idempotency-Key; a request that got no answer (network) keeps its key, so trying again never charges twice.
 */
import type { Page } from '../app.ts';
import type { Paths } from '../api/schema.gen.ts';
import { ApiError } from '../api/client.ts';
import { h } from '../ui/dom.ts';
import { field, form } from '../ui/form.ts';
import {
  empty,
  failure,
  formatDate,
  loading,
  messageOf,
  money,
  pageHead,
  pill,
  toast,
} from '../ui/widgets.ts';

type Billing = Paths['/v1/billing']['get']['responses'][200];
type Plan = Paths['/v1/plans']['get']['responses'][200]['plans'][number];

const TEST_CARDS = [
  ['tok_visa', 'Visa •••• 4242 (succeeds)'],
  ['tok_mastercard', 'Mastercard •••• 4444 (succeeds)'],
  ['tok_chargeDeclined', 'Card declined (test)'],
  ['tok_insufficientFunds', 'Insufficient funds (test)'],
] as const;
const PLAN_NAMES: Record<string, string> = { FREE: 'Free', M: 'Monthly', Y: 'Yearly' };

const paymentRow = (p: Billing['payments'][number]) =>
  h(
    'tr',
    { 'data-testid': 'payment' },
    h('td', {}, formatDate(p.created)),
    h(
      'td',
      {},
      PLAN_NAMES[p.plan] ?? p.plan,
      p.kind === 'RENEWAL' ? h('span', { class: 'muted small' }, ' · renewal') : null,
    ),
    h('td', {}, money(p.totalCents, p.currency)),
    h(
      'td',
      {},
      pill(p.status),
      p.declineCode ? h('span', { class: 'muted small' }, ` ${p.declineCode}`) : null,
    ),
    h('td', { class: 'hide-phone' }, p.paymentGateway),
  );

export const billingPage: Page = async (root, ctx) => {
  const head = pageHead('Plan & billing', 'Your workspace’s subscription and payments.');
  root.replaceChildren(head, loading('Loading billing…'));
  let billing: Billing;
  let plans: Plan[];
  try {
    [billing, { plans }] = await Promise.all([
      ctx.api.get('/v1/billing', { query: { limit: 10 } }),
      ctx.api.get('/v1/plans'),
    ]);
  } catch (error) {
    root.replaceChildren(head, failure(error));
    return;
  }
  const summary = h('section', { class: 'card', 'aria-labelledby': 'sub-h', 'data-testid': 'subscription' });
  const renderSummary = (sub: Billing['subscription']) => {
    const renew = h('input', {
      type: 'checkbox',
      id: 'auto-renew',
      role: 'switch',
      checked: sub.autoRenew,
      disabled: sub.plan === 'FREE',
    });
    renew.addEventListener('change', async () => {
      renew.disabled = true;
      try {
        renderSummary(
          (await ctx.api.post('/v1/billing/auto-renew', { body: { autoRenew: renew.checked } })).subscription,
        );
      } catch (error) {
        renew.checked = !renew.checked;
        renew.disabled = false;
        toast(messageOf(error), 'error');
      }
    });
    summary.replaceChildren(
      h('h2', { id: 'sub-h' }, 'Current plan'),
      h(
        'div',
        { class: 'row' },
        h('span', { class: 'stat' }, PLAN_NAMES[sub.plan] ?? sub.plan),
        pill(sub.status),
      ),
      h(
        'p',
        { class: 'muted' },
        sub.expiresAt ? `Paid until ${formatDate(sub.expiresAt)}` : 'No expiry: the free plan.',
      ),
      h(
        'div',
        { class: 'row' },
        renew,
        h('label', { for: 'auto-renew' }, 'Renew automatically before it expires'),
      ),
    );
  };
  renderSummary(billing.subscription);

  const paid = plans.filter((p) => p.plan !== 'FREE');
  const planField = field({
    path: 'plan',
    label: 'Plan',
    options: paid.map(
      (p) =>
        [
          p.plan,
          `${PLAN_NAMES[p.plan] ?? p.plan} — ${money(p.priceCents, p.currency)} per ${p.period ?? 'period'} · ${p.limits.members} members${p.limits.recording ? ', recording' : ''}`,
        ] as const,
    ),
  });
  const card = field({
    path: 'paymentToken',
    label: 'Card',
    options: TEST_CARDS,
    hint: 'Sandbox gateway: test cards only, nothing is charged.',
  });
  const autoRenew = h('input', { type: 'checkbox', id: 'pay-renew', checked: true });
  const result = h('div', { role: 'status' });
  let pendingKey: string | undefined;
  const pay = form({
    fields: [planField, card],
    submitLabel: 'Pay now',
    busyLabel: 'Processing payment…',
    aliases: { total: 'plan', paymentGateway: 'paymentToken' },
    extra: [
      h('div', { class: 'row' }, autoRenew, h('label', { for: 'pay-renew' }, 'Renew automatically')),
      result,
    ],
    onSubmit: async () => {
      const plan = paid.find((p) => p.plan === planField.control.value);
      if (!plan) return;
      const key = (pendingKey ??= crypto.randomUUID());
      result.replaceChildren();
      try {
        const answer = await ctx.api.post('/v1/payment', {
          headers: { 'Idempotency-Key': key },
          body: {
            plan: plan.plan as 'M' | 'Y',
            total: plan.priceCents / 100,
            paymentGateway: 'sandbox',
            paymentToken: planCard(),
            autoRenew: autoRenew.checked,
          },
        });
        pendingKey = undefined;
        renderSummary(answer.subscription);
        result.replaceChildren(
          h('p', { class: 'notice ok' }, `Payment received — you are on the ${PLAN_NAMES[plan.plan]} plan.`),
        );
      } catch (error) {
        if (error instanceof ApiError) pendingKey = undefined; // the server answered: the next attempt is a new one
        if (error instanceof ApiError && error.status === 402) {
          result.replaceChildren(h('p', { class: 'form-error' }, `Payment declined: ${messageOf(error)}`));
        } else throw error;
      } finally {
        void reloadPayments();
      }
    },
  });
  const planCard = () => card.control.value;

  const tbody = h('tbody', {});
  const more = h('button', { class: 'btn secondary', type: 'button', hidden: true }, 'Older payments');
  let cursor = billing.nextCursor;
  const history = h('div', {});
  const showPayments = (rows: Billing['payments'], reset: boolean) => {
    if (reset) tbody.replaceChildren();
    tbody.append(...rows.map(paymentRow));
    history.replaceChildren(
      tbody.children.length
        ? h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              {},
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  h('th', {}, 'Date'),
                  h('th', {}, 'Plan'),
                  h('th', {}, 'Amount'),
                  h('th', {}, 'Status'),
                  h('th', { class: 'hide-phone' }, 'Gateway'),
                ),
              ),
              tbody,
            ),
          )
        : empty('No payments yet', 'Your payments and renewals will be listed here.'),
    );
    more.hidden = !cursor;
  };
  const reloadPayments = async () => {
    const page = await ctx.api.get('/v1/billing', { query: { limit: 10 } }).catch(() => undefined);
    if (!page) return;
    cursor = page.nextCursor;
    showPayments(page.payments, true);
  };
  more.addEventListener('click', async () => {
    if (!cursor) return;
    try {
      const page = await ctx.api.get('/v1/billing', { query: { limit: 10, cursor } });
      cursor = page.nextCursor;
      showPayments(page.payments, false);
    } catch (error) {
      toast(messageOf(error), 'error');
    }
  });
  showPayments(billing.payments, true);

  root.replaceChildren(
    head,
    h(
      'div',
      { class: 'grid two' },
      summary,
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'pay-h' },
        h('h2', { id: 'pay-h' }, 'Upgrade or extend'),
        pay.element,
      ),
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'hist-h' },
      h('h2', { id: 'hist-h' }, 'Payment history'),
      history,
      h('div', { class: 'row' }, more),
    ),
  );
};
