import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { soundtrack } from '../../../server/modules/videos/render/audio.ts';
import { FFMPEG, startEncoder } from '../../../server/modules/videos/render/encoder.ts';
import { sampleYear } from '../../../server/modules/videos/render/data.ts';
import {
  holds,
  repeatedFrames,
  scenesFor,
  totalDuration,
} from '../../../server/modules/videos/render/timeline.ts';

const test = suite('held frames: ffmpeg shows each again, in its place');
const dir = mkdtempSync(path.join(tmpdir(), 'video-holds-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const run = promisify(execFile);
const SIZE = 32;

/** Encodes frames of one grey level each (level k for frame k), the held ones left out, and decodes it. */
async function levelsAfter(frames: number, held: { frame: number; extra: number }[]): Promise<number[]> {
  const repeated = repeatedFrames(held);
  const file = path.join(dir, `h${frames}-${held.length}.mp4`);
  const encoder = startEncoder({
    width: SIZE,
    height: SIZE,
    fps: 30,
    audio: Promise.resolve(soundtrack(frames / 30)),
    holds: held,
    outFile: file,
  });
  for (let i = 0; i < frames; i++) {
    if (repeated.has(i)) continue;
    const frame = Buffer.alloc(SIZE * SIZE * 1.5, 128);
    frame.fill(16 + 4 * i, 0, SIZE * SIZE);
    await encoder.write(frame);
  }
  await encoder.finish();
  const { stdout } = await run(
    FFMPEG,
    ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1'],
    {
      encoding: 'buffer',
      maxBuffer: 1 << 26,
    },
  );
  const levels: number[] = [];
  for (let at = 0; at < stdout.length; at += SIZE * SIZE * 1.5)
    levels.push(Math.round(((stdout[at + 40] as number) - 16) / 4));
  return levels;
}

/** The frame a frame shows: itself, or for a repeat the frame it repeats. */
function frameShown(i: number, repeated: ReadonlySet<number>): number {
  let k = i;
  while (repeated.has(k)) k--;
  return k;
}

test('holds in the middle and at the end: every frame where it belongs, as many as asked', async () => {
  const held = [
    { frame: 2, extra: 3 },
    { frame: 9, extra: 1 },
    { frame: 14, extra: 5 },
  ];
  const levels = await levelsAfter(20, held);
  const repeated = repeatedFrames(held);
  assert.equal(
    levels,
    Array.from({ length: 20 }, (_, i) => frameShown(i, repeated)),
  );
});

test("a year's holds are the still parts of its scenes, and leave every animated frame painted", () => {
  const scenes = scenesFor(sampleYear(80));
  const frames = Math.round(totalDuration(scenes) * 30);
  const held = holds(scenes, frames, 30);
  const repeats = held.reduce((n, h) => n + h.extra, 0);
  assert.ok(
    held.length >= scenes.length - 1 && repeats > frames / 4,
    `${held.length} holds, ${repeats} frames`,
  );
  for (const h of held) {
    const scene = scenes.find(
      (s) => h.frame / 30 >= s.start && (h.frame + h.extra) / 30 < s.start + s.duration,
    );
    assert.ok(scene, `hold ${JSON.stringify(h)} within one scene`);
    assert.ok(
      h.frame / 30 >= scene.start + scene.settle,
      `hold ${JSON.stringify(h)} after ${scene.name} settles`,
    );
  }
});

test.run();
