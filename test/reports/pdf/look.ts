/**
 * Renders the sample annual and billing reports (and their empty-year forms) and turns each page into a PNG,
 * to look at. Needs pdftoppm (Debian: poppler-utils).
 * Usage: node test/reports/pdf/look.ts [dir]   (default /tmp/report-look)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderAnnualPdf } from '../../../server/modules/reports/pdf/annual.ts';
import { renderBillingPdf } from '../../../server/modules/reports/pdf/billing.ts';
import { annualSample, billingSample, emptyAnnual, emptyBilling } from './samples.ts';

const dir = path.resolve(process.argv[2] ?? '/tmp/report-look');
mkdirSync(dir, { recursive: true });

const reports: [string, () => Promise<Buffer>][] = [
  ['annual', () => renderAnnualPdf(annualSample)],
  ['billing', () => renderBillingPdf(billingSample)],
  ['annual-empty', () => renderAnnualPdf(emptyAnnual)],
  ['billing-empty', () => renderBillingPdf(emptyBilling)],
];

for (const [name, render] of reports) {
  const started = performance.now();
  const pdf = await render();
  const ms = performance.now() - started;
  const file = path.join(dir, `${name}.pdf`);
  writeFileSync(file, pdf);
  execFileSync('pdftoppm', ['-png', '-r', '60', file, path.join(dir, name)]);
  console.log(`${file}: ${(pdf.length / 1024).toFixed(1)} KiB in ${ms.toFixed(0)} ms`);
}
console.log(`PNG pages in ${dir}`);
