/**
 * Dojo media through the room on embedded defaults: three members publish a real VP8 + Opus stream from
 * werift peers signalled over the room's `media:*` messages; each receives the other two's audio and video
 * (msid = publisher), the state's `media` map shows mutes, a leaver's tracks go away, and a recording of it
 * composes into an MP4 whose tiles show the video.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import ffmpeg from '@ffmpeg-installer/ffmpeg';
import ffprobe from '@ffprobe-installer/ffprobe';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buyMonthlyPlan } from '../support/billing.ts';
import { loadClip, type Clip } from '../contract/sfu-clip.ts';
import { forwardedStreams, TestParticipant } from '../contract/sfu-participant.ts';
import { api, createDojo, join, startNode, team, waitFor, type Node, type Seat } from './helpers.ts';
import { roomSignaling } from './media-client.ts';

const test = suite('dojo media through the room (embedded)');
let node: Node;
let clip: Clip;

test.before(async () => {
  [node, clip] = await Promise.all([startNode({ DOJO_TEST_SEGMENT_SECONDS: '2' }), loadClip({ seconds: 4 })]);
});
test.after(async () => {
  await node?.stop();
});

async function until(check: () => boolean, label: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await sleep(100);
  }
}

test('three members each receive the other two, see mutes, and lose a leaver; the recording shows them', async () => {
  const people = await team(node, 2);
  const [host] = people;
  if (!host) throw new Error('team');
  await buyMonthlyPlan(node.url, host.token);
  const dojoId = await createDojo(node.url, host, people.slice(1));
  const seats: Seat[] = [];
  for (const p of people) seats.push(await join(node.url, p.token, dojoId));
  const participants = people.map((p) => new TestParticipant(p.userId, { clip }));
  await Promise.all(participants.map((t, i) => t.join(roomSignaling(seats[i]!.room))));

  const ids = people.map((p) => p.userId);
  for (const [i, t] of participants.entries()) {
    const others = ids.filter((id) => id !== t.id);
    await until(
      () =>
        others.every(
          (id) =>
            (t.received.get(id)?.video.keyframes ?? 0) > 0 && (t.received.get(id)?.audio.packets ?? 0) > 20,
        ),
      `participant ${i} receiving both others`,
    );
    assert.not.ok(t.received.has(t.id), 'nobody receives their own tracks');
    const lastOffer = t.offers[t.offers.length - 1] ?? '';
    assert.equal(
      [...new Set(forwardedStreams(lastOffer).map((s) => s.streamId))].sort(),
      [...others].sort(),
      'the msid of each forwarded track is its publisher',
    );
  }
  const hostRoom = seats[0]!.room;
  await waitFor(
    hostRoom,
    (s) =>
      ids.every(
        (id) =>
          (s as unknown as { media: Record<string, { audio: boolean; video: boolean }> }).media[id]?.video ===
          true,
      ),
    'everyone shown as sending video',
  );

  seats[1]!.room.send('media:mute', { kind: 'audio', muted: true });
  const muted = (await waitFor(
    hostRoom,
    (s) => (s as unknown as { media: Record<string, { audio: boolean }> }).media[ids[1]!]?.audio === false,
    'the mute shown to others',
  )) as unknown as { media: Record<string, { audio: boolean; video: boolean }> };
  assert.is(muted.media[ids[1]!]?.video, true, 'only the audio is muted');

  const start = await api(node.url, 'POST', '/v1/dojo/start', host.token, { dojoId });
  assert.is(start.status, 200, JSON.stringify(start.body));
  const listed = await api(node.url, 'GET', `/v1/dojos/${dojoId}`, host.token);
  const recordingId = String((listed.body.recordings as { recordingId: string }[])[0]?.recordingId);
  const startedAt = Date.now();
  await sleep(5000);
  const stop = await api(node.url, 'POST', '/v1/dojo/stop', host.token, { dojoId });
  assert.is(stop.status, 200, JSON.stringify(stop.body));
  const recordedSec = (Date.now() - startedAt) / 1000;

  // The third member leaves: the other two get an offer without their tracks.
  const offersBefore = participants[0]!.offers.length;
  await seats[2]!.room.leave();
  await until(() => participants[0]!.offers.length > offersBefore, 'a new offer after the leave');
  await until(
    () => !forwardedStreams(participants[0]!.offers.at(-1) ?? '').some((s) => s.streamId === ids[2]),
    "the leaver's tracks removed",
  );

  const deadline = Date.now() + 120_000;
  let ready: { status: string; url?: string; durationSec?: number } | undefined;
  while (Date.now() < deadline) {
    const res = await api(node.url, 'GET', `/v1/dojos/${dojoId}`, host.token);
    ready = (res.body.recordings as { recordingId: string; status: string; url?: string }[]).find(
      (r) => r.recordingId === recordingId,
    );
    if (ready?.status === 'READY' || ready?.status === 'FAILED') break;
    await sleep(300);
  }
  assert.is(ready?.status, 'READY', JSON.stringify(ready));
  const file = `${node.dataDir}/media.mp4`;
  writeFileSync(file, Buffer.from(await (await fetch(String(ready?.url))).arrayBuffer()));
  const info = JSON.parse(
    execFileSync(ffprobe.path, ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', file], {
      encoding: 'utf8',
    }),
  ) as { streams: { codec_type: string; width?: number }[]; format: { duration: string } };
  assert.ok(
    Math.abs(Number(info.format.duration) - recordedSec) < 2,
    `${info.format.duration} vs ${recordedSec}`,
  );
  assert.is(info.streams.find((s) => s.codec_type === 'video')?.width, 1280);
  // The middle of the recording: the tiles show the test pattern (bright, varied), not dark placeholders.
  const rgb = execFileSync(
    ffmpeg.path,
    [
      '-v',
      'error',
      '-ss',
      String(recordedSec / 2),
      '-i',
      file,
      '-frames:v',
      '1',
      '-vf',
      'scale=64:36',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'gray',
      '-',
    ],
    { maxBuffer: 1 << 20 },
  );
  const mean = rgb.reduce((sum, v) => sum + v, 0) / rgb.length;
  assert.ok(mean > 40, `the frame is too dark to show video (mean luma ${mean.toFixed(1)})`);

  for (const t of participants) await t.close();
  for (const s of seats.slice(0, 2)) await s.room.leave();
});

test('media messages before media:join, or malformed, are refused to the sender', async () => {
  const [host, a] = await team(node, 1);
  if (!host || !a) throw new Error('team');
  const dojoId = await createDojo(node.url, host, [a]);
  const seat = await join(node.url, a.token, dojoId);
  seat.room.send('media:answer', { sdp: 'v=0' });
  seat.room.send('media:mute', { kind: 'screen', muted: true });
  await until(() => seat.errors.length >= 2, 'two refusals', 5000);
  assert.equal(seat.errors.map((e) => e.code).sort(), ['INVALID_MESSAGE', 'NO_MEDIA_SESSION']);
  await seat.room.leave();
});

test.run();
