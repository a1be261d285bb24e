import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { signUpAndLogin, type LoggedIn } from '../support/accounts.ts';
import { spawnSystem, type SpawnedSystem } from '../support/system.ts';
import { probe } from './probe.ts';

/**
 * The year in review end to end, on a real server process (embedded adapters) rendering at 360×360: a
 * seeded user's video is a valid MP4 with a poster, one render per user and year, only its owner sees it,
 * an empty year works, and a worker SIGKILLed mid-render leaves the job to finish after a restart.
 */
const test = suite('videos: the year in review');
const dataDir = mkdtempSync(path.join(tmpdir(), 'dojo-videos-'));
const env = {
  DATA_DIR: dataDir,
  PUBLIC_URL: 'http://localhost:1',
  ROLES: 'api,workers',
  POSTGRES_URL: undefined,
  KAFKA_BROKERS: undefined,
  CASSANDRA_CONTACT_POINTS: undefined,
  S3_ENDPOINT: undefined,
  REDIS_URL: undefined,
  SMTP_URL: undefined,
};
let server: SpawnedSystem;
let ada: LoggedIn;
let bob: LoggedIn;
const YEAR = new Date().getUTCFullYear();

async function api(method: string, route: string, who: LoggedIn, body?: unknown) {
  const res = await fetch(server.url + route, {
    method,
    headers: {
      authorization: `Bearer ${who.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
/** Files of the embedded blob store are served by the app: the signed link's path on this server. */
const download = async (link: string) => {
  const u = new URL(link);
  return Buffer.from(await (await fetch(server.url + u.pathname + u.search)).arrayBuffer());
};
async function until(
  who: LoggedIn,
  videoId: string,
  ok: (b: Record<string, unknown>) => boolean,
  ms = 120_000,
) {
  const deadline = Date.now() + ms;
  for (;;) {
    const r = await api('GET', `/v1/video/${videoId}`, who);
    if (ok(r.body)) return r.body;
    if (r.body.status === 'FAILED') throw new Error(`video failed: ${JSON.stringify(r.body)}`);
    if (Date.now() > deadline) throw new Error(`video ${videoId}: ${JSON.stringify(r.body)}`);
    await sleep(200);
  }
}

test.before(async () => {
  server = await spawnSystem(env, { entry: 'test/videos/fixtures/server.ts', timeoutMs: 60_000 });
  const sut = { url: server.url, dataDir };
  ada = await signUpAndLogin(sut, { firstName: 'Ada' });
  bob = await signUpAndLogin(sut, { firstName: 'Bob' });
  for (const [i, language] of ['TypeScript', 'Go', 'TypeScript', 'Rust'].entries()) {
    const made = await api('POST', '/v1/pocs', ada, {
      name: `Kata ${i}`,
      language,
      tags: ['web'],
      repoUrl: 'https://example.com/r',
      favorite: i === 0,
    });
    assert.is(made.status, 201);
  }
  await sleep(1500);
});
test.after(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('a seeded user gets an MP4 (H.264 + AAC) and a poster; asking twice is one render', async () => {
  const [a, b] = await Promise.all([
    api('POST', '/v1/video/yearly', ada, { year: YEAR }),
    api('POST', '/v1/video/yearly', ada, { year: YEAR }),
  ]);
  assert.is(a.status, 202);
  assert.is(a.body.videoId, b.body.videoId);
  const done = await until(ada, String(a.body.videoId), (x) => x.status === 'DONE');
  assert.is(done.width, 360);
  const dir = mkdtempSync(path.join(tmpdir(), 'dojo-video-file-'));
  try {
    const file = path.join(dir, 'v.mp4');
    writeFileSync(file, await download(String(done.url)));
    const p = probe(file);
    assert.equal(p.codecs, ['aac', 'h264']);
    assert.equal([p.width, p.height], [360, 360]);
    assert.ok(
      Math.abs(p.durationSec - Number(done.durationSec)) < 0.3,
      `${p.durationSec} vs ${String(done.durationSec)}`,
    );
    assert.ok(p.durationSec >= 20 && p.durationSec <= 45);
    const poster = await download(String(done.posterUrl));
    assert.is(poster.subarray(1, 4).toString(), 'PNG');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.is(
    (await api('GET', `/v1/video/${String(a.body.videoId)}`, bob)).status,
    404,
    "another user's video is a 404",
  );
  const mine = await api('GET', '/v1/videos', ada);
  assert.is((mine.body.videos as { videoId: string }[])[0]?.videoId, a.body.videoId);
  assert.equal((await api('GET', '/v1/videos', bob)).body.videos, []);
});

test('an empty year makes a video too', async () => {
  const asked = await api('POST', '/v1/video/yearly', bob, { year: 2001 });
  const done = await until(bob, String(asked.body.videoId), (x) => x.status === 'DONE');
  assert.ok(Number(done.durationSec) >= 20);
});

test('a render SIGKILLed half-way is rendered again after a restart; nothing half is served', async () => {
  const asked = await api('POST', '/v1/video/yearly', ada, { year: YEAR - 1 });
  const videoId = String(asked.body.videoId);
  const midway = await until(ada, videoId, (x) => Number(x.progress) >= 20 && x.status === 'RUNNING');
  assert.not.ok(midway.url, 'no file while it runs');
  await server.stop('SIGKILL');
  server = await spawnSystem(env, { entry: 'test/videos/fixtures/server.ts', timeoutMs: 60_000 });
  const done = await until(ada, videoId, (x) => x.status === 'DONE');
  assert.ok(done.url);
});

test.run();
