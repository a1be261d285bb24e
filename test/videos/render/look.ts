/**
 * Renders a sample year and writes a PNG from the middle of five scenes, plus the poster, to look at.
 *   node test/videos/render/look.ts [dir=/tmp/video-look] [total POCs=80]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sampleYear } from '../../../server/modules/videos/render/data.ts';
import { renderYearVideo } from '../../../server/modules/videos/render/index.ts';
import { scenesFor } from '../../../server/modules/videos/render/timeline.ts';
import { pngAt } from './frames.ts';

const dir = process.argv[2] ?? '/tmp/video-look';
const data = sampleYear(Number(process.argv[3] ?? 80));
mkdirSync(dir, { recursive: true });
const file = path.join(dir, 'year.mp4');
const started = performance.now();
const result = await renderYearVideo(data, file);
console.log(
  `${file}: ${result.frames} frames, ${result.durationSec} s, in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
writeFileSync(path.join(dir, 'poster.png'), result.poster);
const wanted = ['opening', 'count', 'languages', 'tags', 'favorites', 'next-steps', 'dojos', 'ending'];
const scenes = scenesFor(data).filter((s) => wanted.includes(s.name));
const five = [scenes[0], scenes[1], scenes[2], scenes[3], scenes[scenes.length - 1]];
for (const s of five) {
  if (!s) continue;
  const png = await pngAt(file, s.start + s.duration / 2);
  writeFileSync(path.join(dir, `${s.name}.png`), png);
  console.log(path.join(dir, `${s.name}.png`));
}
