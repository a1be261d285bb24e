/** The later scenes: favourites, dojos, the next-steps scene of a quiet year, and the ending. */
import type { Draw } from './scenes.ts';
import { title } from './scenes.ts';
import type { YearInReviewData } from './data.ts';
import { accent, easeOut, fitText, font, formatCount, PALETTE, roundRect, SIZE, step } from './style.ts';

export const favorites: Draw = (ctx, t, data) => {
  const top = data.pocs.favorites.slice(0, 5);
  title(ctx, 'Your favourites', 'The ones you loved', accent(4));
  top.forEach((f, i) => {
    const p = step(t, 0.35 + i * 0.2, 0.8);
    if (p <= 0) return;
    const y = 310 + i * 130;
    ctx.save();
    ctx.globalAlpha *= p;
    ctx.translate(80 * (1 - p), 0);
    ctx.fillStyle = PALETTE.track;
    roundRect(ctx, 90, y, 900, 110, 22);
    ctx.fillStyle = accent(i + 4);
    roundRect(ctx, 90, y, 16, 110, 8);
    ctx.textAlign = 'left';
    ctx.fillStyle = PALETTE.text;
    fitText(ctx, f.name, 136, y + 54, 820, 44);
    ctx.fillStyle = PALETTE.muted;
    fitText(ctx, f.language, 136, y + 94, 820, 28, false);
    ctx.restore();
  });
};

function stat(ctx: Parameters<Draw>[0], y: number, value: string, label: string, color: string): void {
  ctx.textAlign = 'left';
  ctx.fillStyle = color;
  fitText(ctx, value, 90, y, 900, 190);
  ctx.fillStyle = PALETTE.text;
  fitText(ctx, label, 96, y + 70, 900, 48);
}

export const dojos: Draw = (ctx, t, data) => {
  const { attended, minutes } = data.dojos;
  title(ctx, attended ? 'Dojo time' : 'Dojos are waiting', 'Coding together', accent(2));
  const n = easeOut((t - 0.3) / 1.6);
  stat(ctx, 500, formatCount(attended * n), attended === 1 ? 'dojo attended' : 'dojos attended', accent(2));
  ctx.save();
  ctx.globalAlpha *= step(t, 0.8, 0.8);
  const hours = minutes >= 120 ? ` (${formatCount(minutes / 60)} h)` : '';
  stat(ctx, 820, formatCount(minutes * n), `minutes of live coding${hours}`, accent(1));
  ctx.restore();
};

/** Only for a year without POCs: three friendly ways to begin, in place of the empty scenes. */
export const nextSteps: Draw = (ctx, t) => {
  title(ctx, 'Ideas for next year', 'Getting started', accent(3));
  ['Jot down one idea', 'Pick a language to try', 'Join a dojo and pair up'].forEach((line, i) => {
    const p = step(t, 0.4 + i * 0.35, 0.8);
    const y = 360 + i * 170;
    ctx.save();
    ctx.globalAlpha *= p;
    ctx.fillStyle = accent(i + 2);
    roundRect(ctx, 90, y, 110, 110, 55);
    ctx.fillStyle = PALETTE.ink;
    ctx.textAlign = 'center';
    font(ctx, 60);
    ctx.fillText(String(i + 1), 145, y + 76);
    ctx.textAlign = 'left';
    ctx.fillStyle = PALETTE.text;
    fitText(ctx, line, 240, y + 72, 760, 54);
    ctx.restore();
  });
};

export interface Tier {
  readonly headline: string;
  readonly line: string;
  readonly color: string;
}

/** The ending changes with how much was done: none, 1–10, 11–50, more than 50 POCs. */
export function tier(data: YearInReviewData): Tier {
  const n = data.pocs.total;
  if (n === 0) return { headline: 'Next year is yours', line: 'Start your first POC', color: '#4fd1c5' };
  const pocs = `${formatCount(n)} POC${n === 1 ? '' : 's'}`;
  if (n <= 10) return { headline: 'A great start', line: `${pocs} — keep it going`, color: '#7c9cff' };
  if (n <= 50) return { headline: 'On a roll', line: `${pocs} and counting`, color: '#e879f9' };
  return { headline: 'Unstoppable', line: `${pocs}. Legendary.`, color: '#ffc94d' };
}

export const ending: Draw = (ctx, t, data) => {
  const { headline, line, color } = tier(data);
  const a = step(t, 0.2, 0.9);
  ctx.fillStyle = color;
  ctx.save();
  ctx.globalAlpha *= a;
  ctx.beginPath();
  ctx.arc(SIZE / 2, 400, 150 + 20 * a, 0, Math.PI * 2);
  ctx.fill();
  ctx.restore();
  ctx.fillStyle = PALETTE.ink;
  ctx.textAlign = 'center';
  font(ctx, 130);
  ctx.fillText(String(data.year % 100).padStart(2, '0'), SIZE / 2, 446);
  ctx.fillStyle = color;
  fitText(ctx, headline, SIZE / 2, 700, 920, 92);
  ctx.save();
  ctx.globalAlpha *= step(t, 0.8, 0.8);
  ctx.fillStyle = PALETTE.text;
  fitText(ctx, line, SIZE / 2, 790, 920, 50);
  ctx.fillStyle = PALETTE.muted;
  fitText(ctx, `See you in ${data.year + 1}, ${data.displayName}`, SIZE / 2, 880, 920, 36, false);
  ctx.restore();
};
