/**
 * Real compositions of ffmpeg-made WebM segments (VP8 + Opus, timestamps not starting at 0, no cues),
 * checked from the outside: ffprobe for the streams, duration and chapters, decoded frames for the grid,
 * the pilot's outline and the dark tiles, decoded sound for who is heard when.
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { composeRecording } from './compose.ts';
import { FfmpegError } from './ffmpeg-process.ts';
import { recordStretch } from './fixtures.ts';
import { frameAt, probe, soundAt, toneAmplitude, rms } from './inspect.ts';
import { gridLayout, type Tile } from './layout.ts';
import type { ManifestInput } from './manifest.ts';

const dir = await mkdtemp(path.join(tmpdir(), 'compose-test-'));
const stretch = (
  name: string,
  startMs: number,
  durationMs: number,
  more: Partial<Parameters<typeof recordStretch>[0]>,
) => recordStretch({ dir, name, startMs, durationMs, segmentMs: 4000, kinds: ['audio', 'video'], ...more });

const [ada, bob, cleo, deeBefore, deeAfter] = await Promise.all([
  stretch('ada', 0, 12_000, { toneHz: 440 }),
  stretch('bob', 5000, 7000, { toneHz: 550, width: 1280, height: 720 }),
  stretch('cleo', 0, 12_000, { toneHz: 660, kinds: ['audio'] }),
  stretch('dee1', 0, 4000, { kinds: ['video'] }),
  stretch('dee2', 8000, 4000, { kinds: ['video'], width: 320, height: 180 }),
]);

const input: ManifestInput = {
  durationMs: 12_000,
  participants: [
    { participantId: 'ada', name: 'Ada', segments: ada },
    { participantId: 'bob', name: 'Bob (late)', segments: bob },
    { participantId: 'cleo', name: 'Cléo (audio only)', segments: cleo },
    { participantId: 'dee', name: 'Dee (gap)', segments: [...deeBefore, ...deeAfter] },
  ],
  pilotTurns: [
    { atMs: 0, pilotId: 'ada', title: 'Turn 1: Ada' },
    { atMs: 6000, pilotId: 'bob', title: 'Turn 2: Bob' },
    { atMs: 9000, pilotId: 'dee', title: 'Turn 3: Dee' },
  ],
};
const tiles = gridLayout(4, 1280, 720) as [Tile, Tile, Tile, Tile];
const [adaTile, bobTile, cleoTile, deeTile] = tiles;
const output = path.join(dir, 'dojo.mp4');
const progress: number[] = [];
const result = await composeRecording({ input, output, onProgress: (f) => progress.push(f) });

const PILOT: [number, number, number] = [0xf5, 0xb7, 0x00];
const near = (a: readonly number[], b: readonly number[], tolerance = 40) =>
  a.every((v, i) => Math.abs(v - (b[i] ?? 0)) <= tolerance);
const frame = (seconds: number) => frameAt(output, seconds, 1280, 720);
/** The left edge of a tile, half-way down: inside the pilot's outline when there is one. */
const edge = (t: Tile) => [t.x + 2, t.y + t.h / 2] as const;
/** A patch in the tile's upper left, clear of the labels and the centered name. */
const patchLuma = (f: Awaited<ReturnType<typeof frame>>, t: Tile) =>
  f.luma(t.x + Math.round(t.w * 0.2), t.y + Math.round(t.h * 0.25), 40, 30);

test('one H.264 yuv420p video and one AAC audio stream, as long as the recording', async () => {
  const p = await probe(output);
  const video = p.streams.filter((s) => s.codec_type === 'video');
  const audio = p.streams.filter((s) => s.codec_type === 'audio');
  assert.is(video.length, 1);
  assert.is(audio.length, 1);
  assert.equal(
    [video[0]?.codec_name, video[0]?.pix_fmt, video[0]?.width, video[0]?.height],
    ['h264', 'yuv420p', 1280, 720],
  );
  assert.is(audio[0]?.codec_name, 'aac');
  assert.ok(Math.abs(Number(p.format.duration) - 12) <= 0.5, `duration ${p.format.duration}`);
  assert.equal(result, { durationMs: 12_000, width: 1280, height: 720, chapters: 3, skipped: [] });
});

test('one chapter per pilot turn, at its time, with its title', async () => {
  const { chapters } = await probe(output);
  assert.equal(
    chapters.map((c) => [Number(c.start_time), Number(c.end_time), c.tags?.title]),
    [
      [0, 6, 'Turn 1: Ada'],
      [6, 9, 'Turn 2: Bob'],
      [9, 12, 'Turn 3: Dee'],
    ],
  );
});

test("the pilot's tile, and only it, is outlined during the turn", async () => {
  for (const [at, pilot] of [
    [3, adaTile],
    [7.5, bobTile],
    [10.5, deeTile],
  ] as const) {
    const f = await frame(at);
    for (const t of tiles) {
      const color = f.pixel(...edge(t));
      if (t === pilot) assert.ok(near(color, PILOT), `pilot outline at ${at}s: ${color.join(',')}`);
      else assert.not.ok(near(color, PILOT), `no outline at ${at}s: ${color.join(',')}`);
    }
  }
});

test('a late joiner is a dark tile until they join, video after', async () => {
  assert.ok(patchLuma(await frame(3), bobTile) < 60, 'dark before joining');
  assert.ok(patchLuma(await frame(7.5), bobTile) > 80, 'video after joining');
});

test('a gap shows the dark tile, and video resumes after it (at another resolution)', async () => {
  const lumas = [];
  for (const at of [2, 6, 10]) lumas.push(patchLuma(await frame(at), deeTile));
  assert.ok((lumas[0] ?? 0) > 80 && (lumas[1] ?? 255) < 60 && (lumas[2] ?? 0) > 80, lumas.join(', '));
});

test('an audio-only participant is a dark tile with their name', async () => {
  const f = await frame(2);
  assert.ok(patchLuma(f, cleoTile) < 60);
  let brightest = 0;
  for (let x = cleoTile.x + cleoTile.w * 0.3; x < cleoTile.x + cleoTile.w * 0.7; x += 2)
    brightest = Math.max(brightest, f.luma(Math.round(x), cleoTile.y + Math.round(cleoTile.h / 2), 1, 1));
  assert.ok(brightest > 150, `the name in the middle of the tile (${brightest.toFixed(0)})`);
});

test('every voice is heard, each from when its owner was there', async () => {
  const early = await soundAt(output, 2, 1);
  const late = await soundAt(output, 8, 1);
  const level = (s: Float32Array, hz: number) => toneAmplitude(s, hz);
  assert.ok(level(early, 440) > 0.05, `Ada early ${level(early, 440)}`);
  assert.ok(level(early, 660) > 0.05, `Cléo early ${level(early, 660)}`);
  assert.ok(level(early, 550) < 0.01, `Bob not yet ${level(early, 550)}`);
  assert.ok(level(late, 550) > 0.05, `Bob after joining ${level(late, 550)}`);
  // Mixed as a plain sum (no 1/n scaling): each sine keeps lavfi's amplitude of 1/8.
  assert.ok(Math.abs(level(late, 440) - 0.125) < 0.03, `Ada at full level ${level(late, 440)}`);
});

test('progress rises to 1', () => {
  assert.ok(progress.length >= 3, `${progress.length} reports`);
  assert.ok(progress.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= (progress[i - 1] ?? 0))));
  assert.is(progress.at(-1), 1);
});

test('nobody with audio: a silent track all the same; a missing segment is skipped, the rest composed', async () => {
  const out = path.join(dir, 'silent.mp4');
  const missing = path.join(dir, 'never-uploaded.webm');
  const r = await composeRecording({
    input: {
      durationMs: 6000,
      participants: [
        {
          participantId: 'dee',
          name: 'Dee',
          segments: [...deeBefore, { startMs: 4000, endMs: 6000, file: missing, kinds: ['video'] }],
        },
      ],
    },
    output: out,
  });
  assert.equal(r.skipped, [{ participantId: 'dee', file: missing, reason: 'missing' }]);
  const p = await probe(out);
  assert.equal(p.streams.map((s) => s.codec_type).sort(), ['audio', 'video']);
  assert.ok(Math.abs(Number(p.format.duration) - 6) <= 0.5);
  assert.is(p.chapters.length, 0);
  assert.ok(rms(await soundAt(out, 0.5, 2)) < 1e-4);
  // One participant fills the frame.
  assert.ok((await frameAt(out, 1, 1280, 720)).luma(160, 120, 960, 480) > 80);
});

test('aborting kills ffmpeg: the promise rejects and no file is left', async () => {
  const controller = new AbortController();
  const out = path.join(dir, 'aborted.mp4');
  const started = performance.now();
  const done = composeRecording({
    input,
    output: out,
    signal: controller.signal,
    onProgress: () => controller.abort(),
  });
  const error = await done.catch((e: unknown) => e);
  assert.ok(error instanceof Error && error.name === 'AbortError', String(error));
  assert.ok(performance.now() - started < 10_000);
  await stat(out).then(
    () => assert.unreachable('output left behind'),
    () => undefined,
  );
});

test('a failing ffmpeg rejects with the tail of its stderr', async () => {
  const broken = path.join(dir, 'broken.webm');
  await writeFile(broken, Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), Buffer.alloc(64, 0xff)]));
  const error = await composeRecording({
    input: {
      durationMs: 2000,
      participants: [
        {
          participantId: 'x',
          name: 'X',
          segments: [{ startMs: 0, endMs: 2000, file: broken, kinds: ['video'] }],
        },
      ],
    },
    output: path.join(dir, 'broken.mp4'),
  }).catch((e: unknown) => e);
  assert.ok(error instanceof FfmpegError, String(error));
  assert.match(error.message, /ffmpeg exited with 1: .+/s);
  assert.ok(error.stderrTail.length > 0);
});

test.after(() => rm(dir, { recursive: true, force: true }));

test.run();
