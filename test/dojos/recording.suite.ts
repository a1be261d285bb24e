/**
 * Recording a dojo end to end, on the embedded defaults and on the real services: the host starts, the pilot codes, turns rotate, people
 * chat, the host stops; a worker composes the MP4 (ffprobe: video + audio, the duration recorded, a chapter
 * per pilot turn) and the replay returns the edits on the recording's clock.
 */
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import ffprobe from '@ffprobe-installer/ffprobe';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Backend } from '../support/backends.ts';
import { buyMonthlyPlan } from '../support/billing.ts';
import { freePort } from '../support/system.ts';
import { annualReport, api, createDojo, join, startNode, team, waitFor, type Node } from './helpers.ts';

interface Chapter {
  at: number;
  title: string;
  pilotId: string;
}
interface RecordingView {
  recordingId: string;
  status: string;
  url?: string;
  durationSec?: number;
  chapters: Chapter[];
}

const NODE_ENV = { DOJO_TEST_SEGMENT_SECONDS: '2', DOJO_TEST_ORPHAN_MS: '8000', DOJO_TEST_SMALL_VIDEO: '1' };

export function recordingSuite(backend: Backend): void {
  const test = suite(`dojo recording (${backend.label})`);
  let node: Node;
  let port: string;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dojo-recording-'));

  test.before(async () => {
    // One port for the node and its restart: the tokens' issuer is the node's public URL.
    port = String(await freePort());
    node = await startNode({ ...backend.env, ...NODE_ENV, DATA_DIR: dataDir, PORT: port });
  });
  test.after(async () => {
    await node?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    await backend.cleanup();
  });

  /** The dojo's one RECORDING recording (its newest), as GET /v1/dojos/{id} lists it. */
  async function running(token: string, dojoId: string): Promise<string> {
    const res = await api(node.url, 'GET', `/v1/dojos/${dojoId}`, token);
    const recordings = res.body.recordings as RecordingView[];
    assert.is(recordings.filter((r) => r.status === 'RECORDING').length, 1, JSON.stringify(recordings));
    return recordings[0]!.recordingId;
  }

  async function recordingOf(token: string, dojoId: string, recordingId: string, status: string) {
    const deadline = Date.now() + 120_000;
    for (;;) {
      // Right after a restart the node may still answer 503: keep asking.
      const res = await api(node.url, 'GET', `/v1/dojos/${dojoId}`, token).catch(() => undefined);
      const recordings = (res?.status === 200 ? res.body.recordings : []) as RecordingView[];
      const found = recordings.find((r) => r.recordingId === recordingId);
      if (found?.status === status) return found;
      if (found?.status === 'FAILED' || Date.now() > deadline)
        throw new Error(
          `recording ${JSON.stringify(found)} did not become ${status} (last answer ${res?.status} ${JSON.stringify(res?.body).slice(0, 300)})`,
        );
      await sleep(250);
    }
  }

  test('start, code, rotate, chat, stop: an MP4 with a chapter per pilot turn, and the replay', async () => {
    const [host, a, b] = await team(node, 2);
    if (!host || !a || !b) throw new Error('team');
    await buyMonthlyPlan(node.url, host.token);
    const dojoId = await createDojo(node.url, host, [a, b]);
    const seats = [await join(node.url, host.token, dojoId)];
    seats.push(await join(node.url, a.token, dojoId), await join(node.url, b.token, dojoId));
    const hostRoom = seats[0]!.room;
    const first = await waitFor(hostRoom, (s) => s.pilotId !== '' && s.copilotId !== '', 'a pilot');

    const start = await api(node.url, 'POST', '/v1/dojo/start', host.token, { dojoId });
    assert.equal([start.status, start.body], [200, { success: true }]);
    const recordingId = await running(host.token, dojoId);
    assert.match(recordingId, /^[0-9a-f-]{36}$/);
    const again = await api(node.url, 'POST', '/v1/dojo/start', host.token, { dojoId });
    assert.is(again.status, 200);
    assert.is(await running(host.token, dojoId), recordingId, 'starting again keeps the running recording');
    const startedAt = Date.now();

    const pilotSeat = (id: string) => seats[[host, a, b].findIndex((m) => m.userId === id)]!.room;
    pilotSeat(first.pilotId).send('code', { text: 'const answer = 41;', language: 'typescript' });
    await waitFor(hostRoom, (s) => s.code === 'const answer = 41;', 'the first edit');
    await sleep(1200);
    hostRoom.send('rotate', {});
    const second = await waitFor(hostRoom, (s) => s.pilotId !== first.pilotId, 'the second turn');
    pilotSeat(second.pilotId).send('code', { text: 'const answer = 42;' });
    seats[1]!.room.send('chat', { text: 'nice one' });
    await waitFor(hostRoom, (s) => s.code === 'const answer = 42;' && s.chat.length > 0, 'edit and chat');
    await sleep(1200);
    hostRoom.send('rotate', {});
    const third = await waitFor(hostRoom, (s) => s.pilotId !== second.pilotId, 'the third turn');
    await sleep(2500);

    const stop = await api(node.url, 'POST', '/v1/dojo/stop', host.token, { dojoId });
    const recordedSec = (Date.now() - startedAt) / 1000;
    assert.is(stop.status, 200, JSON.stringify(stop.body));
    assert.is(stop.body.recordingId, recordingId);
    await waitFor(hostRoom, (s) => !s.recording, 'recording off');

    const replay = await api(node.url, 'GET', `/v1/dojos/${dojoId}/replay`, a.token);
    assert.is(replay.status, 200, JSON.stringify(replay.body));
    assert.is(replay.body.recordingId, recordingId);
    const events = replay.body.events as { at: number; type: string; text?: string; pilotId?: string }[];
    // The buffer as it stood at the start ('') is replaced by an edit within a tenth of a second.
    const codes = events.filter((e) => e.type === 'code' && e.text !== '').map((e) => e.text);
    assert.equal(codes, ['const answer = 41;', 'const answer = 42;']);
    assert.equal(
      events.filter((e) => e.type === 'rotate').map((e) => e.pilotId),
      [first.pilotId, second.pilotId, third.pilotId],
    );
    assert.ok(events.some((e) => e.type === 'chat' && e.text === 'nice one'));
    const at = events.map((e) => e.at);
    assert.equal(
      at,
      [...at].sort((x, y) => x - y),
      'in order',
    );
    assert.ok(
      at.every((t) => t >= 0 && t <= recordedSec + 0.5),
      `on the recording's clock: ${at.join(', ')}`,
    );

    const ready = await recordingOf(a.token, dojoId, recordingId, 'READY');
    assert.equal(
      ready.chapters.map((c) => c.pilotId),
      [first.pilotId, second.pilotId, third.pilotId],
    );
    assert.is(ready.chapters[0]?.at, 0);
    assert.ok(
      ready.chapters.every((c) => /^Turn \d: /.test(c.title)),
      JSON.stringify(ready.chapters),
    );
    assert.ok(Math.abs((ready.durationSec ?? 0) - recordedSec) < 2, `${ready.durationSec} vs ${recordedSec}`);
    // The stored recording is a fact of the tenant's year: the annual report counts it.
    const report = await annualReport(node.url, host.token, (r) => r.dojos.recordings > 0);
    assert.is(report.dojos.recordings, 1);
    const mp4 = await fetch(String(ready.url));
    assert.is(mp4.status, 200);
    const file = path.join(dataDir, 'downloaded.mp4');
    writeFileSync(file, Buffer.from(await mp4.arrayBuffer()));
    const probed = JSON.parse(
      execFileSync(
        ffprobe.path,
        ['-v', 'error', '-show_streams', '-show_format', '-show_chapters', '-of', 'json', file],
        {
          encoding: 'utf8',
        },
      ),
    ) as {
      streams: { codec_type: string }[];
      format: { duration: string };
      chapters: { start_time: string }[];
    };
    // Besides one video and one audio stream, MP4 chapters come with a QuickTime chapter (data) track.
    const media = probed.streams.map((s) => s.codec_type).filter((t) => t === 'audio' || t === 'video');
    assert.equal(media.sort(), ['audio', 'video']);
    assert.ok(Math.abs(Number(probed.format.duration) - recordedSec) < 2, probed.format.duration);
    assert.is(probed.chapters.length, 3);

    for (const s of seats) await s.room.leave();
  });

  test('a member who is not the host cannot start, and a dojo without recordings has no replay', async () => {
    const [host, a] = await team(node, 1);
    if (!host || !a) throw new Error('team');
    await buyMonthlyPlan(node.url, host.token);
    const dojoId = await createDojo(node.url, host, [a]);
    const seats = [await join(node.url, host.token, dojoId), await join(node.url, a.token, dojoId)];
    const refused = await api(node.url, 'POST', '/v1/dojo/start', a.token, { dojoId });
    assert.is(refused.status, 403);
    const none = await api(node.url, 'GET', `/v1/dojos/${dojoId}/replay`, host.token);
    assert.is(none.status, 404);
    assert.match(JSON.stringify(none.body), 'DOJO.NO_RECORDING');
    const bad = await api(node.url, 'GET', `/v1/dojos/${dojoId}/replay?recordingId=nope`, host.token);
    assert.is(bad.status, 400);
    assert.match(JSON.stringify(bad.body), 'recordingId');
    for (const s of seats) await s.room.leave();
  });

  test('a node killed mid-recording: nobody comes back, the sweep composes what was stored', async () => {
    const [host, a] = await team(node, 1);
    if (!host || !a) throw new Error('team');
    await buyMonthlyPlan(node.url, host.token);
    const dojoId = await createDojo(node.url, host, [a]);
    const seats = [await join(node.url, host.token, dojoId), await join(node.url, a.token, dojoId)];
    const state = await waitFor(seats[0]!.room, (s) => s.pilotId !== '', 'a pilot');
    await api(node.url, 'POST', '/v1/dojo/start', host.token, { dojoId });
    const recordingId = await running(host.token, dojoId);
    const pilot = seats[[host.userId, a.userId].indexOf(state.pilotId)]!.room;
    pilot.send('code', { text: 'before the crash' });
    await sleep(4500); // two flushes: the edit is stored
    await node.stop('SIGKILL');
    node = await startNode({ ...backend.env, ...NODE_ENV, DATA_DIR: dataDir, PORT: port });

    const ready = await recordingOf(host.token, dojoId, recordingId, 'READY');
    assert.ok(
      (ready.durationSec ?? 0) >= 3.5 && (ready.durationSec ?? 0) <= 7,
      `duration ${ready.durationSec}`,
    );
    assert.is(ready.chapters.length, 1);
    const replay = await api(
      node.url,
      'GET',
      `/v1/dojos/${dojoId}/replay?recordingId=${recordingId}`,
      host.token,
    );
    const texts = (replay.body.events as { type: string; text?: string }[]).map((e) => e.text);
    assert.ok(texts.includes('before the crash'), JSON.stringify(replay.body));

    // Someone comes back after the sweep finished it: the room does not go on recording into it.
    const back = await join(node.url, host.token, dojoId);
    const reopened = await waitFor(back.room, (s) => s.status === 'LIVE', 'the room reopened');
    assert.is(reopened.recording, false);
    const listed = await api(node.url, 'GET', `/v1/dojos/${dojoId}`, host.token);
    const statuses = (listed.body.recordings as RecordingView[]).map((r) => r.status);
    assert.equal(statuses, ['READY']);
    await back.room.leave();
  });

  test.run();
}
