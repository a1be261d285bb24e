/**
 * The text of the name labels, as ffmpeg's drawtext will draw it in DejaVu Sans Bold (from the
 * `dejavu-fonts-ttf` package, as the PDF reports use): control characters become spaces, characters the
 * font has no glyph for become '?' (rather than empty boxes), and a name too wide for its tile is cut
 * with an ellipsis, measured with the font's own advances.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as fontkit from 'fontkit';

const require = createRequire(import.meta.url);

export const LABEL_FONT_FILE = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf');

export interface LabelFont {
  readonly file: string;
  /** The text the font can draw, cut to fit `maxWidth` px at `size` px. */
  fit(text: string, size: number, maxWidth: number): string;
}

export function loadLabelFont(file = LABEL_FONT_FILE): LabelFont {
  const font = fontkit.create(readFileSync(file));
  if (!('unitsPerEm' in font)) throw new Error(`${file} is a font collection, not a font`);
  const width = (text: string, size: number) => (font.layout(text).advanceWidth * size) / font.unitsPerEm;
  const drawable = (text: string) => {
    let out = '';
    for (const ch of text) {
      const cp = ch.codePointAt(0) ?? 0x3f;
      if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) out += ' ';
      else if (cp === 0x200d || (cp >= 0xfe00 && cp <= 0xfe0f)) continue;
      else out += font.hasGlyphForCodePoint(cp) ? ch : '?';
    }
    return out.replace(/\s+/g, ' ').trim();
  };
  return {
    file,
    fit(text, size, maxWidth) {
      const clean = drawable(text) || '?';
      if (width(clean, size) <= maxWidth) return clean;
      const chars = [...clean];
      while (chars.length > 1 && width(`${chars.join('').trimEnd()}…`, size) > maxWidth) chars.pop();
      return `${chars.join('').trimEnd()}…`;
    },
  };
}
