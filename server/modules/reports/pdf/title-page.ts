/**
 * The frame of a report: its document with the title page (the product, the report's title, the tenant, the
 * date, the year at a glance, the contents), and at the end the contents and footers.
 */
import { FONT, safeText } from './fonts.ts';
import { formatDate } from './format.ts';
import {
  COLOR,
  contentBottom,
  contentWidth,
  createDocument,
  figures,
  fit,
  footers,
  heading,
  sectionsOf,
  type Figure,
} from './layout.ts';

export interface TitlePage {
  /** e.g. "Annual report 2026". */
  readonly title: string;
  /** The PDF's Subject and Keywords. */
  readonly subject: string;
  readonly keywords: string;
  readonly tenantName: string;
  readonly tenantId: string;
  readonly year: number;
  readonly generatedAt: string;
  /** One sentence under the title saying what the report covers. */
  readonly about: string;
  /** The figures shown "at a glance" (four read best). */
  readonly glance: readonly Figure[];
}

/** A new report document, its title page drawn, and the promise of its bytes (see `finish`). */
export function startReport(page: TitlePage): { doc: PDFKit.PDFDocument; bytes: Promise<Buffer> } {
  const started = createDocument({
    title: `${page.title} — ${page.tenantName}`,
    subject: page.subject,
    keywords: page.keywords,
    generatedAt: page.generatedAt,
  });
  titlePage(started.doc, page);
  return started;
}

function titlePage(doc: PDFKit.PDFDocument, page: TitlePage): void {
  const x = doc.page.margins.left;
  const width = contentWidth(doc);
  const band = 160;
  doc.rect(0, 0, doc.page.width, band).fill(COLOR.accent);
  doc.rect(0, band, doc.page.width, 6).fill(COLOR.accentDark);
  doc.font(FONT.bold).fontSize(44).fillColor('#ffffff').text('Dojo', x, 52, { lineBreak: false });
  doc.font(FONT.regular).fontSize(13).fillColor('#dbe4ff');
  doc.text('POC tracking and live coding dojos', x, 108, { lineBreak: false });

  doc
    .font(FONT.bold)
    .fontSize(30)
    .fillColor(COLOR.ink)
    .text(safeText(page.title), x, band + 40, { width });
  doc.moveDown(0.2);
  // The tenant's name on two lines at the most: smaller type for a long name, then "…".
  const name = safeText(page.tenantName);
  const tooLong = () => doc.heightOfString(name, { width }) > 2.5 * doc.currentLineHeight();
  let size = 20;
  doc.font(FONT.bold).fontSize(size);
  while (size > 13 && tooLong()) doc.fontSize(--size);
  doc.fillColor(COLOR.accent).text(tooLong() ? fit(doc, name, width * 1.8) : name, x, doc.y, { width });
  doc.moveDown(0.6);
  doc.font(FONT.regular).fontSize(11).fillColor(COLOR.muted);
  doc.text(`Period: January 1 – December 31, ${page.year} (UTC)`, x, doc.y, { width });
  doc.text(`Generated on ${formatDate(page.generatedAt)}`, x, doc.y + 2, { width });
  doc.fillColor(COLOR.faint).fontSize(10);
  doc.text(`Workspace ID: ${safeText(page.tenantId)}`, x, doc.y + 2, { width });
  doc.moveDown(1);
  doc.font(FONT.regular).fontSize(10.5).fillColor(COLOR.ink);
  doc.text(safeText(page.about), x, doc.y, { width, lineGap: 2 });

  heading(doc, 'At a glance', 160);
  figures(doc, page.glance);
  contentsTop.set(doc, doc.y + 6);
}

/** Where each document's table of contents goes on its title page, once the sections are laid out. */
const contentsTop = new WeakMap<PDFKit.PDFDocument, number>();

/** Writes the contents on the title page and the footers on every page, ends the document, and waits for it. */
export async function finish(
  doc: PDFKit.PDFDocument,
  bytes: Promise<Buffer>,
  footer: string,
): Promise<Buffer> {
  const list = sectionsOf(doc);
  const top = contentsTop.get(doc);
  if (list.length && top !== undefined) {
    doc.switchToPage(doc.bufferedPageRange().start);
    const x = doc.page.margins.left;
    const width = contentWidth(doc);
    doc.font(FONT.bold).fontSize(13).fillColor(COLOR.ink).text('Contents', x, top, { width });
    const y = doc.y + 4;
    // One column, or two where the title page has no room for one.
    const columns = y + list.length * 19 > contentBottom(doc) ? 2 : 1;
    const rows = Math.ceil(list.length / columns);
    const w = (width - (columns - 1) * 24) / columns;
    list.forEach(({ title, page }, i) => {
      const left = x + Math.floor(i / rows) * (w + 24);
      const top = y + (i % rows) * 19;
      doc.font(FONT.regular).fontSize(10.5).fillColor(COLOR.ink);
      doc.text(fit(doc, title, w - 40), left, top, { lineBreak: false });
      doc.text(String(page), left + w - 40, top, { width: 40, align: 'right', lineBreak: false });
      doc
        .moveTo(left, top + 15)
        .lineTo(left + w, top + 15)
        .lineWidth(0.5)
        .strokeColor(COLOR.rule)
        .stroke();
    });
  }
  footers(doc, footer);
  doc.end();
  return bytes;
}
