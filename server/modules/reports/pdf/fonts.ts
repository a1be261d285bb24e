/**
 * The fonts of the PDF reports and the rule for text they cannot show.
 *
 * The reports embed DejaVu Sans (regular and bold, from the `dejavu-fonts-ttf` npm package; pdfkit subsets
 * them, so a report carries only the glyphs it uses). Unlike pdfkit's standard Helvetica, which is limited to
 * WinAnsi, DejaVu covers Latin, Greek, Cyrillic and many symbols, and the embedded font keeps every word real,
 * extractable text. Characters it has no glyph for (CJK, emoji, …) are replaced by '?' before they reach the
 * PDF: `safeText('日本語 🚀 Team')` is `'??? ? Team'`. No font covering all of Unicode ships in npm as TTF,
 * and a '?' is better than a blank box or a crash. Right-to-left scripts are drawn left to right (no bidi).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as fontkit from 'fontkit';

const require = createRequire(import.meta.url);

function load(file: string): { readonly buffer: Buffer; readonly font: fontkit.Font } {
  const buffer = readFileSync(require.resolve(`dejavu-fonts-ttf/ttf/${file}`));
  const font = fontkit.create(buffer);
  if (!('unitsPerEm' in font)) throw new Error(`${file} is a font collection, not a font`);
  return { buffer, font };
}

const regular = load('DejaVuSans.ttf');
const bold = load('DejaVuSans-Bold.ttf');

/** The names the fonts are registered under in every report document. */
export const FONT = { regular: 'Report', bold: 'Report-Bold' } as const;

/** Registers the report fonts in a pdfkit document (the font bytes are read once per process). */
export function registerFonts(doc: PDFKit.PDFDocument): void {
  doc.registerFont(FONT.regular, regular.buffer);
  doc.registerFont(FONT.bold, bold.buffer);
}

/** Code points that are dropped rather than replaced: joiners and variation selectors of emoji sequences. */
function invisible(cp: number): boolean {
  return cp === 0x200d || (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef);
}

/** The text with control characters made spaces and every character the fonts cannot draw made '?'. */
export function safeText(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0x3f;
    if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) out += ' ';
    else if (invisible(cp)) continue;
    else if (regular.font.hasGlyphForCodePoint(cp) && bold.font.hasGlyphForCodePoint(cp)) out += ch;
    else out += '?';
  }
  return out;
}

/**
 * The width in px of `text` in a CSS font shorthand such as `bold 12px sans-serif`, as the report fonts draw
 * it; ECharts lays out its labels with this, so that they fit once the SVG is drawn in the PDF.
 */
export function measureText(text: string, cssFont?: string): { width: number } {
  const size = Number(/(\d+(?:\.\d+)?)px/.exec(cssFont ?? '')?.[1] ?? 12);
  const font = /\bbold\b|\b[6-9]00\b/.test(cssFont ?? '') ? bold.font : regular.font;
  const run = font.layout(text);
  return { width: (run.advanceWidth * size) / font.unitsPerEm };
}
