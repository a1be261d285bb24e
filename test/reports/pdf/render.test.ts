/**
 * The annual and billing PDF reports: rendered from sample data, written to a temp dir and read back with
 * poppler's pdftotext and pdfinfo (Debian: poppler-utils), as a person's PDF reader would see them.
 */
import { execFileSync } from 'node:child_process';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { renderAnnualPdf } from '../../../server/modules/reports/pdf/annual.ts';
import { renderBillingPdf } from '../../../server/modules/reports/pdf/billing.ts';
import { safeText } from '../../../server/modules/reports/pdf/fonts.ts';
import { money } from '../../../server/modules/reports/pdf/format.ts';
import { annualSample, billingSample, emptyAnnual, emptyBilling, unicodeName } from './samples.ts';

const s = suite('reports: PDF rendering');
let dir = '';
let n = 0;

s.before(() => {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
  } catch {
    throw new Error('pdftotext is missing: apt-get install -y poppler-utils');
  }
  dir = mkdtempSync(path.join(tmpdir(), 'dojo-report-pdf-'));
});
s.after(() => rmSync(dir, { recursive: true, force: true }));

interface Read {
  readonly text: string;
  readonly pages: number;
  readonly info: Record<string, string>;
}

/** Writes the PDF into the temp dir and reads back its text (layout kept), page count and metadata. */
function read(pdf: Buffer): Read {
  const file = path.join(dir, `report-${++n}.pdf`);
  writeFileSync(file, pdf);
  const text = execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  const info: Record<string, string> = {};
  for (const line of execFileSync('pdfinfo', ['-isodates', file], { encoding: 'utf8' }).split('\n')) {
    const m = /^([^:]+):\s*(.*)$/.exec(line);
    if (m) info[m[1]!] = m[2]!;
  }
  return { text, pages: Number(info.Pages), info };
}

function includesAll(text: string, expected: readonly string[]): void {
  for (const e of expected) assert.ok(text.includes(e), `the PDF's text has ${JSON.stringify(e)}`);
}

/** Squeezes runs of spaces, as -layout spreads a sentence over columns. */
function flat(text: string): string {
  return text.replace(/[ \t]+/g, ' ');
}

s('the annual report has the tenant, the year, the totals and every chart title', async () => {
  const pdf = await renderAnnualPdf(annualSample);
  assert.is(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
  const { text, pages } = read(pdf);
  assert.ok(pages >= 2, `${pages} pages`);
  includesAll(text, ['Dojo', 'Acme Robotics', 'Annual report 2026', '42', '3,765', '18', '63', 'March']);
  includesAll(text, ['POCs per month', 'POCs by language', 'Top tags', 'Dojo minutes per month']);
  includesAll(text, [
    'TypeScript',
    '33.3%',
    'machine-learning',
    'Month by month',
    'Generated on January 14, 2027',
  ]);
  includesAll(flat(text), [
    '42 POCs were created in 2026 by the',
    'Dojo minutes (62 h 45 min): the time',
    `Page 1 of ${pages}`,
    `Page ${pages} of ${pages}`,
  ]);
});

s('the billing report has the tenant, the money in the currency and every chart title', async () => {
  const pdf = await renderBillingPdf(billingSample);
  assert.is(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
  const { text, pages } = read(pdf);
  assert.ok(pages >= 2, `${pages} pages`);
  includesAll(text, ['Dojo', 'Acme Robotics', 'Billing report 2026', '$1,234.50', '$146.50', '$88.18']);
  includesAll(text, ['Revenue per month (USD)', 'Payments per month', 'Team', 'Active', 'February 1, 2027']);
  includesAll(flat(text), ['$1,234.50 was paid in 2026 in 14', '2 payments failed in 2026']);
});

s('the metadata names the report, Dojo as author, and generatedAt as creation date', async () => {
  const annual = read(await renderAnnualPdf(annualSample)).info;
  assert.is(annual.Title, 'Annual report 2026 — Acme Robotics');
  assert.is(annual.Author, 'Dojo');
  assert.is(annual.CreationDate, '2027-01-14T09:30:00Z');
  const billing = read(await renderBillingPdf(billingSample)).info;
  assert.is(billing.Title, 'Billing report 2026 — Acme Robotics');
  assert.is(billing.Author, 'Dojo');
  assert.is(billing.CreationDate, '2027-01-14T09:30:00Z');
});

s('the same data renders the same bytes', async () => {
  assert.ok((await renderAnnualPdf(annualSample)).equals(await renderAnnualPdf(annualSample)));
  assert.ok((await renderBillingPdf(billingSample)).equals(await renderBillingPdf(billingSample)));
});

s('a year with no data renders and says so instead of drawing empty charts', async () => {
  const annual = read(await renderAnnualPdf(emptyAnnual));
  assert.ok(annual.pages >= 2);
  includesAll(annual.text, ['Quiet Studio', 'Annual report 2025', 'No POCs were created in 2025.']);
  includesAll(annual.text, ['No dojos were held in 2025.', 'POCs per month', 'Top tags']);
  const billing = read(await renderBillingPdf(emptyBilling));
  assert.ok(billing.pages >= 2);
  includesAll(billing.text, ['Billing report 2025', 'No payments were received in 2025.', '$0.00', 'Trial']);
});

s('a tenant name outside the fonts renders, with "?" for what they cannot draw', async () => {
  for (const render of [
    () => renderAnnualPdf({ ...annualSample, tenantName: unicodeName }),
    () => renderBillingPdf({ ...billingSample, tenantName: unicodeName }),
  ]) {
    const { text, pages } = read(await render());
    assert.ok(pages >= 2);
    includesAll(text, ['??? ? Ünïcødé Ελλάδα']);
  }
  assert.is(safeText('日本語 🚀 Team'), '??? ? Team');
  assert.is(safeText('Ünïcødé\tПривет 👍🏽'), 'Ünïcødé Привет ??');
});

s('onProgress rises to 1 and never goes back', async () => {
  for (const render of [
    (p: (f: number) => void) => renderAnnualPdf(annualSample, p),
    (p: (f: number) => void) => renderBillingPdf(billingSample, p),
    (p: (f: number) => void) => renderAnnualPdf(emptyAnnual, p),
  ]) {
    const seen: number[] = [];
    await render((f) => seen.push(f));
    assert.ok(seen.length >= 3, `${seen.length} calls`);
    assert.is(seen.at(-1), 1);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i]! >= seen[i - 1]!, `${seen.join(', ')}`);
    assert.ok(seen.every((f) => f >= 0 && f <= 1));
  }
});

s('every page renders to a PNG with content on it (kept in test/reports/artifacts/ to look at)', async () => {
  const artifacts = path.join(import.meta.dirname, '..', 'artifacts');
  rmSync(artifacts, { recursive: true, force: true });
  mkdirSync(artifacts, { recursive: true });
  const samples: [string, Buffer][] = [
    ['annual', await renderAnnualPdf(annualSample)],
    ['billing', await renderBillingPdf(billingSample)],
    ['annual-empty', await renderAnnualPdf(emptyAnnual)],
  ];
  for (const [name, pdf] of samples) {
    const { pages } = read(pdf);
    const file = path.join(artifacts, `${name}.pdf`);
    writeFileSync(file, pdf);
    execFileSync('pdftoppm', ['-png', '-r', '50', file, path.join(artifacts, name)]);
    const pngs = readdirSync(artifacts).filter((f) => new RegExp(`^${name}-\\d+\\.png$`).test(f));
    assert.is(pngs.length, pages, `${name}: a PNG per page`);
    for (const png of pngs) {
      const image = await loadImage(readFileSync(path.join(artifacts, png)));
      const canvas = createCanvas(image.width, image.height);
      const ctx = canvas.getContext('2d');
      ctx.drawImage(image, 0, 0);
      const { data } = ctx.getImageData(0, 0, image.width, image.height);
      let inked = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i]! + data[i + 1]! + data[i + 2]! < 600) inked++;
      const share = inked / (image.width * image.height);
      assert.ok(share > 0.01, `${png}: ${(share * 100).toFixed(1)} % of the page inked`);
    }
  }
});

s('money is formatted in the currency, from its minor unit', () => {
  assert.is(money('USD').format(123450), '$1,234.50');
  assert.is(money('eur').format(123450), '€1,234.50');
  assert.is(money('JPY').format(12345), '¥12,345');
  assert.is(money('USD').short(14650), '$147');
  assert.is(money('USD').short(123450), '$1.2K');
  assert.is(money('not-a-code').format(123450), '1,234.50 NOT-A-CODE');
});

s.run();
