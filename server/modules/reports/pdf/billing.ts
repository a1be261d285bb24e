/** The billing report of a tenant as a PDF: its subscription, the year's payments, and revenue month by month. */
import { glanceFigures, paymentFigures, subscriptionFigures } from './billing-figures.ts';
import { monthlyChart } from './charts.ts';
import type { BillingReportData } from './data.ts';
import { formatDate, formatNumber, money, MONTHS } from './format.ts';
import { COLOR, figures, KEEP, heading, notice, paragraph, progress, section } from './layout.ts';
import { table } from './table.ts';
import { finish, startReport } from './title-page.ts';

export async function renderBillingPdf(
  data: BillingReportData,
  onProgress?: (fraction: number) => void,
): Promise<Buffer> {
  const { payments, year } = data;
  const title = `Billing report ${year}`;
  const cash = money(data.currency);
  const steps = progress(4, onProgress);
  const { doc, bytes } = startReport({
    ...data,
    title,
    subject: `Subscription and payments of ${data.tenantName} in ${year}`,
    keywords: `Dojo, billing report, ${year}, ${cash.code}`,
    about:
      `The workspace's Dojo subscription and the payments made for it in ${year}. ` +
      `Amounts are in ${cash.code}, as charged.`,
    glance: glanceFigures(data, cash),
  });
  await steps.step();

  section(
    doc,
    'Subscription',
    `The workspace's Dojo subscription as of ${formatDate(data.generatedAt)}.`,
    400,
  );
  figures(doc, subscriptionFigures(data));
  heading(doc, 'Payments', 200);
  figures(doc, paymentFigures(data, cash));
  await steps.step();

  const any = payments.count > 0 || payments.byMonth.some((m) => m.count > 0 || m.totalCents > 0);
  section(doc, 'Revenue and payments per month', `When in ${year} the payments came in.`, any ? 540 : 200);
  heading(doc, `Revenue per month (${cash.code})`, any ? KEEP.chart : KEEP.notice);
  if (any) {
    monthlyChart(doc, {
      values: MONTHS.map((_, i) => cash.major(payments.byMonth[i]?.totalCents ?? 0)),
      label: (v) => cash.short(Math.round(v * cash.minorPerMajor)),
      axis: (v) => cash.compact(Math.round(v * cash.minorPerMajor)),
    });
    const exact = 'rounded on the bars; the exact amounts are in the table "Month by month"';
    paragraph(
      doc,
      `What the successful payments of each month added up to, in ${cash.code}, ${exact}.`,
      COLOR.muted,
    );
  } else notice(doc, `No payments were received in ${year}.`);
  heading(doc, 'Payments per month', any ? KEEP.chart : KEEP.notice);
  if (any) {
    monthlyChart(doc, {
      values: MONTHS.map((_, i) => payments.byMonth[i]?.count ?? 0),
      color: COLOR.second,
      integer: true,
      label: formatNumber,
      axis: formatNumber,
    });
    paragraph(doc, 'How many successful payments were made in each month.', COLOR.muted);
  } else notice(doc, `No payments were made in ${year}.`);
  await steps.step();

  section(doc, 'Month by month', `The successful payments of each month of ${year}.`, 300);
  table(doc, {
    columns: [
      { header: 'Month', weight: 2 },
      { header: 'Payments', weight: 1.2, align: 'right' },
      { header: `Revenue (${cash.code})`, weight: 1.8, align: 'right' },
    ],
    rows: MONTHS.map((month, i) => [
      month,
      formatNumber(payments.byMonth[i]?.count ?? 0),
      cash.format(payments.byMonth[i]?.totalCents ?? 0),
    ]),
    total: [`Total ${year}`, formatNumber(payments.count), cash.format(payments.totalCents)],
  });
  if (data.failedPayments) {
    paragraph(
      doc,
      `Failed payments (${formatNumber(data.failedPayments)}) are not in this table.`,
      COLOR.muted,
    );
  }

  const pdf = await finish(doc, bytes, `Dojo · ${title} · ${data.tenantName}`);
  steps.finish();
  return pdf;
}
