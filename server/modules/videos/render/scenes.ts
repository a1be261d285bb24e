/**
 * The first scenes of the video: opening, the POC count with the month-by-month timeline, languages and tags.
 * Each draws its content at scene time `t` (seconds) in the 1080 design space; the timeline fades and slides
 * it in and out and draws the background beneath.
 */
import type { SKRSContext2D } from '@napi-rs/canvas';
import type { YearInReviewData } from './data.ts';
import { accent, easeOut, fitText, font, formatCount, PALETTE, roundRect, SIZE, step } from './style.ts';

export type Draw = (ctx: SKRSContext2D, t: number, data: YearInReviewData) => void;

const MONTHS = 'JFMAMJJASOND';

export function title(ctx: SKRSContext2D, text: string, sub: string, color: string): void {
  ctx.textAlign = 'left';
  ctx.fillStyle = color;
  fitText(ctx, sub.toUpperCase(), 90, 150, 900, 34);
  ctx.fillStyle = PALETTE.text;
  fitText(ctx, text, 90, 235, 900, 76);
}

export const opening: Draw = (ctx, t, data) => {
  const a = step(t, 0.2, 0.9);
  const b = step(t, 0.7, 0.9);
  ctx.textAlign = 'center';
  ctx.fillStyle = accent(1);
  roundRect(ctx, SIZE / 2 - 260 * a, 380, 520 * a, 10, 5);
  ctx.fillStyle = PALETTE.text;
  fitText(ctx, data.displayName, SIZE / 2, 520, 920, 104);
  ctx.globalAlpha *= b;
  ctx.fillStyle = accent(1);
  fitText(ctx, `Your ${data.year} in POCs`, SIZE / 2, 640 + 30 * (1 - b), 920, 64);
};

export const count: Draw = (ctx, t, data) => {
  const { total, byMonth } = data.pocs;
  title(ctx, `${data.displayName} · ${data.year}`, 'POCs built', accent(0));
  const shown = total * easeOut((t - 0.3) / 2);
  ctx.textAlign = 'left';
  ctx.fillStyle = accent(0);
  font(ctx, 210);
  const number = formatCount(shown);
  ctx.fillText(number, 84, 470);
  const after = 84 + ctx.measureText(formatCount(total)).width + 36;
  ctx.fillStyle = PALETTE.muted;
  fitText(ctx, total === 1 ? 'POC this year' : 'POCs this year', after, 460, 990 - after, 56);
  const max = Math.max(1, ...byMonth);
  const left = 90;
  const slot = 900 / 12;
  const barW = slot * 0.68;
  const base = 930;
  const full = 330;
  for (let m = 0; m < 12; m++) {
    const x = left + m * slot;
    const grow = step(t, 0.6 + m * 0.12, 0.9);
    ctx.fillStyle = PALETTE.track;
    roundRect(ctx, x, base - full, barW, full, 12);
    const h = (full * (byMonth[m] ?? 0) * grow) / max;
    ctx.fillStyle = m % 2 ? accent(1) : accent(0);
    if (h > 0.5) roundRect(ctx, x, base - h, barW, h, Math.min(12, h / 2));
    ctx.fillStyle = PALETTE.muted;
    ctx.textAlign = 'center';
    font(ctx, 30);
    ctx.fillText(MONTHS[m] ?? '', x + barW / 2, base + 48);
  }
};

export const languages: Draw = (ctx, t, data) => {
  const top = data.pocs.languages.slice(0, 5);
  title(ctx, 'Your top languages', 'What you built with', accent(2));
  const max = Math.max(1, ...top.map((l) => l.count));
  top.forEach((l, i) => {
    const y = 330 + i * 130;
    const grow = step(t, 0.4 + i * 0.18, 1);
    ctx.save();
    ctx.globalAlpha *= Math.min(1, grow * 2);
    ctx.textAlign = 'left';
    ctx.fillStyle = PALETTE.text;
    fitText(ctx, l.language, 90, y + 40, 620, 46);
    ctx.fillStyle = PALETTE.track;
    roundRect(ctx, 90, y + 62, 900, 34, 17);
    ctx.fillStyle = accent(i + 2);
    roundRect(ctx, 90, y + 62, ((900 * l.count) / max) * grow, 34, 17);
    ctx.textAlign = 'right';
    ctx.fillStyle = PALETTE.muted;
    font(ctx, 40);
    ctx.fillText(formatCount(l.count * grow), 990, y + 40);
    ctx.restore();
  });
};

export const tags: Draw = (ctx, t, data) => {
  const top = data.pocs.tags.slice(0, 8);
  title(ctx, 'Your favourite tags', 'What it was about', accent(3));
  const max = Math.max(1, ...top.map((g) => g.count));
  let x = 90;
  let y = 330;
  top.forEach((g, i) => {
    const px = 40 + (24 * g.count) / max;
    font(ctx, px);
    const label = `#${g.tag}`;
    const w = Math.min(900, ctx.measureText(label).width + 70);
    const h = px + 50;
    if (x + w > 990) {
      x = 90;
      y += 150;
    }
    const pop = easeOut((t - 0.35 - i * 0.15) / 0.5);
    if (pop > 0) {
      const cx = x + w / 2;
      const cy = y + h / 2;
      ctx.fillStyle = accent(i);
      roundRect(ctx, cx - (w / 2) * pop, cy - (h / 2) * pop, w * pop, h * pop, h / 2);
      ctx.fillStyle = PALETTE.ink;
      ctx.textAlign = 'center';
      ctx.save();
      ctx.globalAlpha *= pop;
      fitText(ctx, label, cx, cy + px * 0.36, w - 40, px);
      ctx.restore();
    }
    x += w + 24;
  });
};
