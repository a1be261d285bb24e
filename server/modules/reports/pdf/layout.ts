/** The page layout shared by the PDF reports: an A4 document, its metadata, headings, text, figures, footers. */
import PDFDocument from 'pdfkit';
import { FONT, registerFonts, safeText } from './fonts.ts';

export const COLOR = {
  ink: '#1f2933',
  muted: '#52606d',
  faint: '#9aa5b1',
  rule: '#d9e2ec',
  panel: '#f3f6fa',
  accent: '#3b5bdb',
  accentDark: '#2f4ab0',
  second: '#0c8599',
  warn: '#c92a2a',
} as const;

export const MARGIN = { top: 60, bottom: 70, left: 60, right: 60 } as const;
export const BODY_SIZE = 10.5;

export interface DocumentMeta {
  /** e.g. "Annual report 2026 — Acme". */
  readonly title: string;
  readonly subject: string;
  readonly keywords: string;
  /** ISO timestamp: the PDF's CreationDate and ModDate, so the same data renders the same metadata. */
  readonly generatedAt: string;
}

/** A new A4 report document and the promise of its bytes, fulfilled after `doc.end()`. */
export function createDocument(meta: DocumentMeta): { doc: PDFKit.PDFDocument; bytes: Promise<Buffer> } {
  const created = new Date(meta.generatedAt);
  const date = Number.isNaN(created.getTime()) ? new Date(0) : created;
  const doc = new PDFDocument({
    size: 'A4',
    margins: { ...MARGIN },
    bufferPages: true,
    autoFirstPage: true,
    info: {
      Title: safeText(meta.title),
      Author: 'Dojo',
      Subject: safeText(meta.subject),
      Keywords: safeText(meta.keywords),
      Creator: 'Dojo reports',
      Producer: 'Dojo reports (pdfkit)',
      CreationDate: date,
      ModDate: date,
    },
    lang: 'en-US',
    displayTitle: true,
  });
  registerFonts(doc);
  doc.font(FONT.regular).fontSize(BODY_SIZE).fillColor(COLOR.ink);
  const chunks: Buffer[] = [];
  const bytes = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  return { doc, bytes };
}

/** The usable width between the side margins. */
export function contentWidth(doc: PDFKit.PDFDocument): number {
  return doc.page.width - doc.page.margins.left - doc.page.margins.right;
}

/** The y below which nothing but the footer is drawn. */
export function contentBottom(doc: PDFKit.PDFDocument): number {
  return doc.page.height - doc.page.margins.bottom;
}

/** Starts a new page unless `height` points still fit below the cursor. */
export function ensureSpace(doc: PDFKit.PDFDocument, height: number): void {
  if (doc.y + height > contentBottom(doc)) doc.addPage();
}

/** The sections of each document, in order, with the 1-based page each starts on (for the contents). */
const sections = new WeakMap<PDFKit.PDFDocument, { title: string; page: number }[]>();

export function sectionsOf(doc: PDFKit.PDFDocument): readonly { title: string; page: number }[] {
  return sections.get(doc) ?? [];
}

/**
 * A section heading and an optional introduction: on a new page, unless the section (about `need` points,
 * as its caller estimates them) still fits on the current page, which must not be the title page.
 */
export function section(doc: PDFKit.PDFDocument, title: string, intro: string, need: number): void {
  const range = doc.bufferedPageRange();
  const page = range.start + range.count;
  if (page === 1 || doc.y + 70 + need > contentBottom(doc)) {
    doc.addPage();
    doc.y = doc.page.margins.top;
  } else doc.y += 30;
  const list = sections.get(doc) ?? [];
  list.push({ title, page: doc.bufferedPageRange().count });
  sections.set(doc, list);
  doc.outline.addItem(safeText(title));
  const x = doc.page.margins.left;
  doc.font(FONT.bold).fontSize(20).fillColor(COLOR.ink).text(safeText(title), x, doc.y);
  const y = doc.y + 4;
  doc.rect(x, y, 48, 3).fill(COLOR.accent);
  doc.y = y + 14;
  paragraph(doc, intro, COLOR.muted);
}

/** What a heading keeps on its page: a chart, or the notice that stands for it. */
export const KEEP = { chart: 200, notice: 50 } as const;

/** A sub-heading, kept on the same page as at least `keepWith` points of what follows it. */
export function heading(doc: PDFKit.PDFDocument, title: string, keepWith = 60): void {
  doc.moveDown(0.6);
  ensureSpace(doc, 24 + keepWith);
  doc.font(FONT.bold).fontSize(13).fillColor(COLOR.ink);
  doc.text(safeText(title), doc.page.margins.left, doc.y, { width: contentWidth(doc) });
  doc.moveDown(0.3);
}

/** Body text over the content width. */
export function paragraph(doc: PDFKit.PDFDocument, text: string, color: string = COLOR.ink): void {
  doc.font(FONT.regular).fontSize(BODY_SIZE).fillColor(color);
  const options = { width: contentWidth(doc), lineGap: 2 };
  ensureSpace(doc, doc.heightOfString(safeText(text), options));
  doc.text(safeText(text), doc.page.margins.left, doc.y, options);
  doc.moveDown(0.5);
}

/** One key figure: the value, what it counts, and a sentence that explains it. */
export interface Figure {
  readonly value: string;
  readonly label: string;
  readonly explanation: string;
  readonly color?: string;
}

/** Key figures as cards, two to a row, each with its value, label and explanation. */
export function figures(doc: PDFKit.PDFDocument, items: readonly Figure[]): void {
  const gap = 12;
  const pad = 12;
  const width = (contentWidth(doc) - gap) / 2;
  const inner = width - 2 * pad;
  for (let i = 0; i < items.length; i += 2) {
    const row = items.slice(i, i + 2);
    const heights = row.map((f) => cardHeight(doc, f, inner, pad));
    const height = Math.max(...heights);
    ensureSpace(doc, height + gap);
    const top = doc.y;
    row.forEach((f, j) => {
      const x = doc.page.margins.left + j * (width + gap);
      doc.roundedRect(x, top, width, height, 6).fill(COLOR.panel);
      doc.rect(x, top + 8, 3, height - 16).fill(f.color ?? COLOR.accent);
      const value = safeText(f.value);
      doc.font(FONT.bold).fontSize(20);
      doc.fontSize(Math.max(11, Math.min(20, (20 * inner) / doc.widthOfString(value))));
      doc
        .fillColor(f.color ?? COLOR.accent)
        .text(value, x + pad, top + pad, { width: inner, lineBreak: false });
      doc.font(FONT.bold).fontSize(BODY_SIZE).fillColor(COLOR.ink);
      doc.text(safeText(f.label), x + pad, top + pad + 28, { width: inner });
      doc.font(FONT.regular).fontSize(10).fillColor(COLOR.muted);
      doc.text(safeText(f.explanation), x + pad, doc.y + 3, { width: inner, lineGap: 1.5 });
    });
    doc.x = doc.page.margins.left;
    doc.y = top + height + gap;
  }
  doc.fillColor(COLOR.ink);
}

function cardHeight(doc: PDFKit.PDFDocument, f: Figure, inner: number, pad: number): number {
  doc.font(FONT.bold).fontSize(BODY_SIZE);
  const label = doc.heightOfString(safeText(f.label), { width: inner });
  doc.font(FONT.regular).fontSize(10);
  const text = doc.heightOfString(safeText(f.explanation), { width: inner, lineGap: 1.5 });
  return pad + 28 + label + 3 + text + pad;
}

/** A short notice in a tinted box, for a chart that has nothing to show. */
export function notice(doc: PDFKit.PDFDocument, text: string): void {
  const width = contentWidth(doc);
  doc.font(FONT.regular).fontSize(BODY_SIZE);
  const height = doc.heightOfString(safeText(text), { width: width - 28 }) + 24;
  ensureSpace(doc, height + 8);
  const top = doc.y;
  doc.roundedRect(doc.page.margins.left, top, width, height, 6).fill(COLOR.panel);
  doc
    .fillColor(COLOR.muted)
    .text(safeText(text), doc.page.margins.left + 14, top + 12, { width: width - 28 });
  doc.x = doc.page.margins.left;
  doc.y = top + height + 10;
  doc.fillColor(COLOR.ink);
}

/** The text cut with "…" to fit in `width` at the document's current font and size. */
export function fit(doc: PDFKit.PDFDocument, text: string, width: number): string {
  const safe = safeText(text);
  if (doc.widthOfString(safe) <= width) return safe;
  const chars = [...safe];
  while (chars.length && doc.widthOfString(`${chars.join('').trimEnd()}…`) > width) chars.pop();
  return `${chars.join('').trimEnd()}…`;
}

/** Writes "left text … Page n of N" under a rule at the foot of every page; call once, before `doc.end()`. */
export function footers(doc: PDFKit.PDFDocument, left: string): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0; // text below the bottom margin would otherwise open a new page
    const x = doc.page.margins.left;
    const width = contentWidth(doc);
    const y = doc.page.height - bottom + 28;
    doc
      .moveTo(x, y - 8)
      .lineTo(x + width, y - 8)
      .lineWidth(0.5)
      .strokeColor(COLOR.rule)
      .stroke();
    doc.font(FONT.regular).fontSize(9).fillColor(COLOR.muted);
    doc.text(fit(doc, left, width - 100), x, y, { lineBreak: false });
    const page = `Page ${i - range.start + 1} of ${range.count}`;
    doc.text(page, x + width - 90, y, { width: 90, align: 'right', lineBreak: false });
    doc.page.margins.bottom = bottom;
  }
}

/** Reports `done / steps` after each step, never going back, and 1 at the end. */
export function progress(steps: number, onProgress?: (fraction: number) => void) {
  let done = 0;
  let last = 0;
  const report = (fraction: number) => {
    const f = Math.min(1, Math.max(last, fraction));
    last = f;
    onProgress?.(f);
  };
  return {
    /** Marks a step done and yields to the event loop, so that a job can report between steps. */
    async step(): Promise<void> {
      done++;
      report(Math.min(done / steps, 0.99));
      await new Promise<void>((resolve) => setImmediate(resolve));
    },
    finish(): void {
      report(1);
    },
  };
}
