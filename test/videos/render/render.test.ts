import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { sampleYear, type YearInReviewData } from '../../../server/modules/videos/render/data.ts';
import { renderYearVideo } from '../../../server/modules/videos/render/index.ts';
import { scenesFor } from '../../../server/modules/videos/render/timeline.ts';
import { diff, frameAt, probe, spread } from './frames.ts';

const test = suite('year-in-review video render');
const dir = mkdtempSync(path.join(tmpdir(), 'video-test-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const SMALL = 360;
const small = (data: YearInReviewData, name: string) =>
  renderYearVideo(data, path.join(dir, name), { width: SMALL, height: SMALL });
const countStill = (data: YearInReviewData) => {
  const s = scenesFor(data).find((x) => x.name === 'count');
  if (!s) throw new Error('no count scene');
  return s.start + 3.5;
};

/** ffmpeg processes whose command line names `file`. */
function ffmpegsWriting(file: string): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        return readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(file);
      } catch {
        return false;
      }
    })
    .map(Number);
}

test('a full-size render: h264 + aac, 1080×1080, the right duration and frames, progress to 1', async () => {
  const file = path.join(dir, 'full.mp4');
  const progress: number[] = [];
  const result = await renderYearVideo(sampleYear(80), file, { onProgress: (f) => progress.push(f) });
  assert.is(result.width, 1080);
  assert.is(result.height, 1080);
  assert.ok(result.durationSec >= 20 && result.durationSec <= 45, String(result.durationSec));
  assert.is(result.frames, Math.round(result.durationSec * 30));
  assert.equal([...result.poster.subarray(1, 4)].map((c) => String.fromCharCode(c)).join(''), 'PNG');
  const info = await probe(file);
  const video = info.streams.find((s) => s.codec_type === 'video');
  const audio = info.streams.find((s) => s.codec_type === 'audio');
  assert.is(video?.codec_name, 'h264');
  assert.is(video?.pix_fmt, 'yuv420p');
  assert.is(audio?.codec_name, 'aac');
  assert.is(video?.width, 1080);
  assert.is(video?.height, 1080);
  assert.is(Number(video?.nb_read_frames), result.frames);
  assert.ok(Math.abs(Number(info.format.duration) - result.durationSec) <= 0.2, info.format.duration);
  assert.ok(progress.length > 10);
  assert.ok(
    progress.every((f, i) => i === 0 || f > (progress[i - 1] as number)),
    'monotonic',
  );
  assert.is(progress[progress.length - 1], 1);
  assert.ok(spread(await frameAt(file, 0.5, 1080, 1080)) > 5, 'the opening frame is not uniform');
});

test('bars follow byMonth, the ending follows the total, an empty year is complete', async () => {
  const a = sampleYear(80);
  // The same tallest month, so only January's bar changes.
  const b = sampleYear(80, {
    pocs: { ...a.pocs, byMonth: [Math.max(...a.pocs.byMonth), ...a.pocs.byMonth.slice(1)] },
  });
  const empty = sampleYear(0);
  const [ra, rb, re] = [await small(a, 'a.mp4'), await small(b, 'b.mp4'), await small(empty, 'empty.mp4')];
  const fa = await frameAt(path.join(dir, 'a.mp4'), countStill(a), SMALL, SMALL);
  const fb = await frameAt(path.join(dir, 'b.mp4'), countStill(b), SMALL, SMALL);
  // January's bar: x 90–141, y 600–930 in the 1080 design, a third of that here.
  assert.ok(diff(fa, fb, SMALL, 32, 200, 12, 110) > 20, 'January differs');
  assert.ok(diff(fa, fb, SMALL, 282, 200, 12, 110) < 3, 'December is alike');

  assert.ok(re.durationSec >= 20, String(re.durationSec));
  const info = await probe(path.join(dir, 'empty.mp4'));
  assert.is(Number(info.streams.find((s) => s.codec_type === 'video')?.nb_read_frames), re.frames);
  assert.ok(Math.abs(Number(info.format.duration) - re.durationSec) <= 0.2);
  const endA = await frameAt(path.join(dir, 'a.mp4'), ra.durationSec - 1, SMALL, SMALL);
  const endE = await frameAt(path.join(dir, 'empty.mp4'), re.durationSec - 1, SMALL, SMALL);
  assert.ok(diff(endA, endE, SMALL, 0, 0, SMALL, SMALL) > 5, 'endings differ');
  assert.ok(spread(endE) > 5);
  assert.ok(rb.frames > 0);
});

test('abort kills ffmpeg and rejects; a failing ffmpeg rejects with its stderr', async () => {
  const file = path.join(dir, 'aborted.mp4');
  const controller = new AbortController();
  const render = renderYearVideo(sampleYear(80), file, {
    width: SMALL,
    height: SMALL,
    signal: controller.signal,
    onProgress: (f) => f > 0.2 && controller.abort(new Error('stop')),
  });
  await render.then(
    () => assert.unreachable('should reject'),
    (error: Error) => assert.is(error.message, 'stop'),
  );
  assert.equal(ffmpegsWriting(file), []);
  assert.not.ok(existsSync(file));

  const bad = path.join(dir, 'no-such-dir', 'x.mp4');
  await renderYearVideo(sampleYear(3), bad, { width: SMALL, height: SMALL }).then(
    () => assert.unreachable('should reject'),
    (error: Error) => assert.match(error.message, /ffmpeg exited with 1: .*no-such-dir/s),
  );
});

test.run();
