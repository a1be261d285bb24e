/** The annual report of a tenant as a PDF: POCs, their languages and tags, dojos, and the year month by month. */
import { dojoFigures, glanceFigures, pocFigures } from './annual-figures.ts';
import { monthlyChart, rankingChart } from './charts.ts';
import type { AnnualReportData } from './data.ts';
import { count, formatMinutes, formatNumber, formatPercent, MONTHS } from './format.ts';
import { COLOR, figures, KEEP, heading, notice, paragraph, progress, section } from './layout.ts';
import { table } from './table.ts';
import { finish, startReport } from './title-page.ts';

const LANGUAGES_IN_CHART = 8;
const LANGUAGES_IN_TABLE = 12;

export async function renderAnnualPdf(
  data: AnnualReportData,
  onProgress?: (fraction: number) => void,
): Promise<Buffer> {
  const { pocs, dojos, year } = data;
  const title = `Annual report ${year}`;
  const steps = progress(6, onProgress);
  const { doc, bytes } = startReport({
    ...data,
    title,
    subject: `POCs and dojos of ${data.tenantName} in ${year}`,
    keywords: `Dojo, annual report, ${year}`,
    about:
      `What the workspace's members did in Dojo in ${year}: the proofs of concept (POCs) they ` +
      'created, the languages and tags of those POCs, and the live coding dojos they held.',
    glance: glanceFigures(data),
  });
  await steps.step();

  const anyPoc = pocs.byMonth.some((n) => n > 0);
  const pocIntro =
    'A POC (proof of concept) is a small project that a member records in Dojo to try out an idea.';
  section(doc, 'Proofs of concept', pocIntro, 420);
  figures(doc, pocFigures(data));
  heading(doc, 'POCs per month', anyPoc ? KEEP.chart : KEEP.notice);
  if (anyPoc) {
    monthlyChart(doc, { values: pocs.byMonth, integer: true, label: formatNumber, axis: formatNumber });
    paragraph(doc, `The number of POCs created in each month of ${year}.`, COLOR.muted);
  } else notice(doc, `No POCs were created in ${year}.`);
  await steps.step();

  languages(doc, data);
  await steps.step();
  tags(doc, data);
  await steps.step();

  const anyDojo = dojos.minutesByMonth.some((n) => n > 0);
  const dojoIntro = 'A dojo is a live coding session that members join together, and may record.';
  section(doc, 'Dojos', dojoIntro, anyDojo ? 450 : 250);
  figures(doc, dojoFigures(data));
  heading(doc, 'Dojo minutes per month', anyDojo ? KEEP.chart : KEEP.notice);
  if (anyDojo) {
    monthlyChart(doc, {
      values: dojos.minutesByMonth,
      color: COLOR.second,
      label: formatNumber,
      axis: formatNumber,
    });
    paragraph(doc, `Dojo minutes in each month of ${year}, summed over participants.`, COLOR.muted);
  } else
    notice(doc, dojos.total ? `No dojo minutes were recorded in ${year}.` : `No dojos were held in ${year}.`);
  await steps.step();

  section(doc, 'Month by month', `The year's figures for each month of ${year}.`, 300);
  table(doc, {
    columns: [
      { header: 'Month', weight: 2 },
      { header: 'POCs created', weight: 1.4, align: 'right' },
      { header: 'Dojo minutes', weight: 1.4, align: 'right' },
      { header: 'Dojo time', weight: 1.6, align: 'right' },
    ],
    rows: MONTHS.map((month, i) => [
      month,
      formatNumber(pocs.byMonth[i] ?? 0),
      formatNumber(dojos.minutesByMonth[i] ?? 0),
      formatMinutes(dojos.minutesByMonth[i] ?? 0),
    ]),
    total: [
      `Total ${year}`,
      formatNumber(pocs.total),
      formatNumber(dojos.minutes),
      formatMinutes(dojos.minutes),
    ],
  });

  const pdf = await finish(doc, bytes, `Dojo · ${title} · ${data.tenantName}`);
  steps.finish();
  return pdf;
}

function languages(doc: PDFKit.PDFDocument, { pocs, year }: AnnualReportData): void {
  const all = pocs.byLanguage.filter((l) => l.count > 0);
  const shown = Math.min(all.length, LANGUAGES_IN_CHART + 1);
  section(doc, 'Languages', 'What the POCs were written in.', all.length ? 120 + shown * 42 : 120);
  heading(doc, 'POCs by language', all.length ? KEEP.chart : KEEP.notice);
  if (!all.length) {
    notice(
      doc,
      pocs.total ? `None of the POCs of ${year} has a language set.` : `No POCs were created in ${year}.`,
    );
    return;
  }
  const sum = all.reduce((s, l) => s + l.count, 0);
  /** The first n languages, and the others together as one row. */
  const top = (n: number) => {
    const items = all.slice(0, n).map((l) => ({ label: l.language, value: l.count }));
    const rest = all.slice(n);
    if (rest.length) {
      const value = rest.reduce((s, l) => s + l.count, 0);
      items.push({ label: `Other (${count(rest.length, 'language')})`, value });
    }
    return items;
  };
  rankingChart(doc, { items: top(LANGUAGES_IN_CHART), label: formatNumber });
  paragraph(doc, `The POCs of ${year} were written in ${count(all.length, 'language')}.`, COLOR.muted);
  table(doc, {
    columns: [
      { header: 'Language', weight: 3 },
      { header: 'POCs', weight: 1, align: 'right' },
      { header: 'Share', weight: 1, align: 'right' },
    ],
    rows: top(LANGUAGES_IN_TABLE).map((l) => [l.label, formatNumber(l.value), formatPercent(l.value / sum)]),
    total: ['All languages', formatNumber(sum), formatPercent(1)],
  });
}

function tags(doc: PDFKit.PDFDocument, { pocs, year }: AnnualReportData): void {
  const list = pocs.topTags.filter((t) => t.count > 0).slice(0, 10);
  section(
    doc,
    'Tags',
    'What the POCs were about, by the tags their authors gave them.',
    list.length ? 80 + list.length * 42 : 120,
  );
  heading(doc, 'Top tags', list.length ? KEEP.chart : KEEP.notice);
  if (!list.length) {
    notice(
      doc,
      pocs.total ? `None of the POCs of ${year} has a tag.` : `No POCs were created in ${year}, so no tags.`,
    );
    return;
  }
  const which =
    list.length === 1 ? `Only one tag was put on POCs` : `The ${list.length} tags put on the most POCs`;
  paragraph(doc, `${which} in ${year}.`, COLOR.muted);
  rankingChart(doc, { items: list.map((t) => ({ label: t.tag, value: t.count })), color: COLOR.second });
  table(doc, {
    columns: [
      { header: 'Tag', weight: 3 },
      { header: 'POCs', weight: 1, align: 'right' },
      { header: 'Share of POCs', weight: 1.4, align: 'right' },
    ],
    rows: list.map((t) => [
      t.tag,
      formatNumber(t.count),
      pocs.total ? formatPercent(t.count / pocs.total) : '—',
    ]),
  });
}
