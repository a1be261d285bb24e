/**
 * Images for the picture endpoint: real PNG, JPEG and WebP (drawn here, so the suite carries no binary files)
 * as base64 and as data URLs (one naming the wrong type), and a GIF, a damaged PNG, text, a data URL that is
 * not base64 and an SVG. Drawn once per run: the damaged PNG's random tail differs between runs.
 */
import { randomBytes } from 'node:crypto';
import { createCanvas } from '@napi-rs/canvas';

export function pictureImages(): string[] {
  const canvas = createCanvas(16, 16);
  const g = canvas.getContext('2d');
  g.fillStyle = '#c33';
  g.fillRect(0, 0, 16, 16);
  const png = canvas.toBuffer('image/png').toString('base64');
  const jpeg = canvas.toBuffer('image/jpeg').toString('base64');
  const webp = canvas.toBuffer('image/webp').toString('base64');
  const gif = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64').toString(
    'base64',
  );
  const corrupt = Buffer.concat([Buffer.from(png, 'base64').subarray(0, 40), randomBytes(40)]).toString(
    'base64',
  );
  return [
    png,
    `data:image/png;base64,${png}`,
    jpeg,
    `data:image/jpeg;base64,${webp}`,
    webp,
    gif,
    corrupt,
    'not base64 at all!',
    'data:image/png,notbase64',
    Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>').toString('base64'),
  ];
}
