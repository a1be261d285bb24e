import { createCanvas } from '@napi-rs/canvas';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { sampleYear, type YearInReviewData } from './data.ts';
import { I420Frames } from './frames.ts';
import { FramePainter } from './timeline.ts';
import { DrawTracker } from './tracking.ts';
import { i420Size, rgbaToI420 } from './yuv.ts';

const test = suite('video frames: only what changed is read back');

/** Every frame of a video as the tracked path makes it, against a whole read-back of each painted frame. */
function compare(data: YearInReviewData, size: number) {
  const tracked = new FramePainter(data, size, size);
  const whole = new FramePainter(data, size, size, { everything: true });
  const frames = new I420Frames(size, size);
  const expected = Buffer.alloc(i420Size(size, size));
  const count = Math.round(tracked.duration * 30);
  let differing = 0;
  let partial = 0;
  let area = 0;
  for (let i = 0; i < count; i++) {
    const rects = tracked.paint(i / 30);
    whole.paint(i / 30);
    rgbaToI420(whole.canvas.data(), size, size, expected);
    const read = rects.reduce((sum, r) => sum + r.w * r.h, 0);
    if (read > 0 && read < size * size) partial++;
    area += read;
    if (!frames.update(tracked.pixels, rects).equals(expected)) differing++;
  }
  return { count, differing, partial, share: area / (count * size * size) };
}

test('a year, frame by frame: the same pixels as reading back every painted frame whole', () => {
  const r = compare(sampleYear(80), 216);
  assert.is(r.differing, 0, `${r.differing} of ${r.count} frames differ`);
  assert.ok(r.partial > r.count / 4, `only ${r.partial} frames read in part`);
  assert.ok(r.share < 0.4, `read ${(r.share * 100).toFixed(0)}% of all pixels`);
});

test('an empty year (its next-steps scene) and other sizes: the same pixels too', () => {
  assert.is(compare(sampleYear(0), 202).differing, 0);
  assert.is(compare(sampleYear(3), 150).differing, 0);
});

test('a call that changes marks its own box; moving the same drawing marks old and new place', () => {
  const canvas = createCanvas(400, 400);
  const tracker = new DrawTracker(canvas.getContext('2d'), 400, 400);
  const ctx = tracker.ctx;
  const draw = (label: string, x: number) => {
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, 400, 400);
    ctx.fillStyle = '#fff';
    ctx.font = '20px sans-serif';
    ctx.fillText('still', 20, 40);
    ctx.fillText(label, 20, 300);
    ctx.beginPath();
    ctx.roundRect(x, 100, 50, 50, 8);
    ctx.fill();
  };
  draw('1', 100);
  tracker.changes();
  draw('1', 100);
  assert.equal(tracker.changes(), [], 'nothing changed');
  draw('2', 100);
  const [text, ...rest] = tracker.changes();
  assert.is(rest.length, 0);
  assert.ok(
    text && text.y > 250 && text.y + text.h < 320 && text.x < 20 && text.w < 60,
    JSON.stringify(text),
  );
  draw('2', 200);
  const [box] = tracker.changes();
  assert.ok(box && box.x <= 100 && box.x + box.w >= 250 && box.y <= 100 && box.y + box.h >= 150);
  assert.ok(box.y >= 90 && box.y + box.h <= 160, JSON.stringify(box));
  ctx.setTransform(1, 0, 0, 1, 0, 5);
  draw('2', 200);
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  assert.equal(tracker.changes(), [{ x: 0, y: 0, w: 400, h: 400 }], 'a new transform moves everything');
});

test.run();
