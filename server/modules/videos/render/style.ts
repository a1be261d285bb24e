/**
 * The look of the year-in-review video: one palette, the fonts (DejaVu Sans from the `dejavu-fonts-ttf`
 * package, registered once, so the video looks the same on any machine), easing, and text helpers. Scenes are
 * drawn in a 1080 × 1080 design space; the renderer scales it to the output size.
 */
import { GlobalFonts, type SKRSContext2D } from '@napi-rs/canvas';
import { createRequire } from 'node:module';

export const SIZE = 1080;
export const FAMILY = 'DojoVideo';

const require = createRequire(import.meta.url);
GlobalFonts.registerFromPath(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'), FAMILY);
GlobalFonts.registerFromPath(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'), FAMILY);

/**
 * Text as the video can draw it: printable ASCII as it is (DejaVu has every glyph of it), anything else
 * through the reports' rule (`?` for what the fonts lack). The reports' module parses the fonts with fontkit
 * when it loads, half of the render thread's start: it is loaded the first time a text needs it.
 */
export function drawableText(raw: string): string {
  if (/^[\x20-\x7e]*$/.test(raw)) return raw;
  const fonts = require('../../reports/pdf/fonts.ts') as { safeText(text: string): string };
  return fonts.safeText(raw);
}

export const PALETTE = {
  ink: '#0b1026',
  inkSoft: '#161d3f',
  text: '#ffffff',
  muted: '#aab3d9',
  track: '#262f5c',
  accents: ['#ff7a59', '#ffc94d', '#4fd1c5', '#7c9cff', '#e879f9'] as const,
} as const;

export const accent = (i: number): string => PALETTE.accents[i % PALETTE.accents.length] ?? '#ffffff';

export const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);
/** Cubic ease-in-out on [0, 1]. */
export const easeInOut = (x: number): number => {
  const t = clamp01(x);
  return t < 0.5 ? 4 * t * t * t : 1 - (-2 * t + 2) ** 3 / 2;
};
export const easeOut = (x: number): number => 1 - (1 - clamp01(x)) ** 3;
/** Progress of a step that starts at `start` seconds and lasts `length`, eased. */
export const step = (t: number, start: number, length: number): number => easeInOut((t - start) / length);

export function font(ctx: SKRSContext2D, px: number, bold = true): void {
  ctx.font = `${bold ? 'bold ' : ''}${Math.round(px)}px ${FAMILY}`;
}

/** Draws `text` (made safe for the font) at most `maxWidth` wide, shrinking the size and then eliding. */
export function fitText(
  ctx: SKRSContext2D,
  raw: string,
  x: number,
  y: number,
  maxWidth: number,
  px: number,
  bold = true,
): void {
  let text = drawableText(raw);
  let size = px;
  font(ctx, size, bold);
  while (ctx.measureText(text).width > maxWidth && size > px * 0.6) {
    size *= 0.92;
    font(ctx, size, bold);
  }
  while (ctx.measureText(text).width > maxWidth && text.length > 2) text = `${text.slice(0, -2)}…`;
  ctx.fillText(text, x, y);
}

export function roundRect(ctx: SKRSContext2D, x: number, y: number, w: number, h: number, r: number): void {
  const radius = Math.max(0, Math.min(r, w / 2, h / 2));
  ctx.beginPath();
  ctx.roundRect(x, y, Math.max(0, w), Math.max(0, h), radius);
  ctx.fill();
}

export const formatCount = (n: number): string => Math.round(n).toLocaleString('en-US');

/** The static background every scene is drawn over (drawn once per render): a gradient and soft rings. */
export function drawBackground(ctx: SKRSContext2D, tint: string): void {
  const g = ctx.createLinearGradient(0, 0, SIZE, SIZE);
  g.addColorStop(0, PALETTE.ink);
  g.addColorStop(1, PALETTE.inkSoft);
  ctx.fillStyle = g;
  ctx.fillRect(0, 0, SIZE, SIZE);
  ctx.globalAlpha = 0.12;
  ctx.strokeStyle = tint;
  ctx.lineWidth = 3;
  for (const [cx, cy, r] of [
    [980, 90, 180],
    [980, 90, 260],
    [90, 1010, 150],
  ] as const) {
    ctx.beginPath();
    ctx.arc(cx, cy, r, 0, Math.PI * 2);
    ctx.stroke();
  }
  ctx.globalAlpha = 1;
  ctx.fillStyle = tint;
  ctx.fillRect(0, SIZE - 12, SIZE, 12);
}
