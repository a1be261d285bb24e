/** Small striped tables (months × figures, languages, tags) that repeat their header on a new page. */
import { FONT } from './fonts.ts';
import { BODY_SIZE, COLOR, contentBottom, contentWidth, ensureSpace, fit } from './layout.ts';

export interface Column {
  readonly header: string;
  /** Share of the table's width; the shares of all columns are scaled to the width. */
  readonly weight: number;
  readonly align?: 'left' | 'right';
}

export interface Table {
  readonly columns: readonly Column[];
  readonly rows: readonly (readonly string[])[];
  /** A last row in bold under a rule, e.g. the year's totals. */
  readonly total?: readonly string[];
  /** The table's width; the content width by default. */
  readonly width?: number;
}

const ROW = 18;
const PAD = 6;

export function table(doc: PDFKit.PDFDocument, t: Table): void {
  const width = t.width ?? contentWidth(doc);
  const weights = t.columns.reduce((sum, c) => sum + c.weight, 0);
  const widths = t.columns.map((c) => (c.weight / weights) * width);
  const x = doc.page.margins.left;

  const cells = (values: readonly string[], top: number, font: string) => {
    doc
      .font(font)
      .fontSize(BODY_SIZE - 0.5)
      .fillColor(COLOR.ink);
    let left = x;
    values.forEach((value, i) => {
      const w = widths[i] ?? 0;
      doc.text(fit(doc, value, w - 2 * PAD), left + PAD, top + 4.5, {
        width: w - 2 * PAD,
        align: t.columns[i]?.align ?? 'left',
        lineBreak: false,
      });
      left += w;
    });
  };
  const header = () => {
    const top = doc.y;
    doc
      .font(FONT.bold)
      .fontSize(BODY_SIZE - 1)
      .fillColor(COLOR.muted);
    let left = x;
    t.columns.forEach((c, i) => {
      const w = widths[i] ?? 0;
      doc.text(fit(doc, c.header, w - 2 * PAD), left + PAD, top + 4, {
        width: w - 2 * PAD,
        align: c.align ?? 'left',
        lineBreak: false,
      });
      left += w;
    });
    rule(top + ROW, 1, COLOR.faint);
    doc.y = top + ROW + 1;
  };
  const rule = (y: number, lineWidth: number, color: string) => {
    doc
      .moveTo(x, y)
      .lineTo(x + width, y)
      .lineWidth(lineWidth)
      .strokeColor(color)
      .stroke();
  };

  ensureSpace(doc, ROW * Math.min(4, t.rows.length + 2));
  header();
  t.rows.forEach((row, i) => {
    if (doc.y + ROW > contentBottom(doc)) {
      doc.addPage();
      header();
    }
    const top = doc.y;
    if (i % 2 === 1) doc.rect(x, top, width, ROW).fill(COLOR.panel);
    cells(row, top, FONT.regular);
    doc.y = top + ROW;
  });
  if (t.total) {
    ensureSpace(doc, ROW + 2);
    const top = doc.y;
    rule(top, 1, COLOR.faint);
    cells(t.total, top + 1, FONT.bold);
    doc.y = top + ROW + 1;
  }
  doc.x = x;
  doc.y += 8;
  doc.fillColor(COLOR.ink);
}
