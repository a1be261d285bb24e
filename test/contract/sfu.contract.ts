import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import ffprobe from '@ffprobe-installer/ffprobe';
import * as assert from 'uvu/assert';
import type { MediaRouter, RecordedSegment, Sfu } from '../../server/ports/sfu.ts';
import { contractSuite } from '../support/contract.ts';
import { loadClip, type Clip } from './sfu-clip.ts';
import { forwardedStreams, TestParticipant } from './sfu-participant.ts';
import { WireLoss } from './sfu-wire-loss.ts';

export interface MadeSfu {
  readonly adapter: Sfu;
  cleanup(): Promise<void>;
}

/** Waits until `check` holds, polling; fails with `what` after `ms`. */
async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Every participant receives audio and video from every other one, and nothing from itself. */
async function assertFullMesh(people: readonly TestParticipant[]): Promise<void> {
  for (const p of people) {
    for (const other of people) {
      if (other === p) continue;
      await until(`${p.id} receiving ${other.id}'s audio and video`, () => {
        const r = p.received.get(other.id);
        return !!r && r.audio.packets > 20 && r.video.packets > 20 && r.video.keyframes > 0;
      });
    }
    assert.not.ok(p.received.has(p.id), `${p.id} receives its own media`);
    assert.equal(
      [...p.received.keys()].sort(),
      people
        .filter((o) => o !== p)
        .map((o) => o.id)
        .sort(),
      `${p.id} receives exactly the others, by msid`,
    );
  }
}

/** The behaviour every Sfu adapter must share; registers one uvu suite and runs it. */
export function sfuContract(label: string, make: () => Promise<MadeSfu>) {
  const { s, made } = contractSuite(`${label}: Sfu contract`, make);
  let clip: Clip;
  const open: TestParticipant[] = [];
  const routers: MediaRouter[] = [];
  const person = (id: string, publish = true) => {
    const p = new TestParticipant(id, publish ? { clip } : {});
    open.push(p);
    return p;
  };
  const router = async (ctx: { made?: MadeSfu }, roomId: string) => {
    const r = await made(ctx).adapter.createRouter(roomId);
    routers.push(r);
    return r;
  };

  s.before(async () => {
    clip = await loadClip();
  });
  s.after.each(async () => {
    await Promise.all(open.splice(0).map((p) => p.close()));
    await Promise.all(routers.splice(0).map((r) => r.close()));
  });

  s(
    'two participants receive each other, msid = publisher, a keyframe soon after subscribing',
    async (ctx) => {
      const room = await router(ctx, 'room-two');
      const [a, b] = [person('alice'), person('bob')];
      await a.join(room);
      await b.join(room);
      await assertFullMesh([a, b]);
      for (const [p, other] of [
        [a, b],
        [b, a],
      ] as const) {
        const r = p.received.get(other.id)!.video;
        // The clip has a keyframe only every 3 s: one within a second comes from the PLI the SFU sent.
        assert.ok(
          r.firstKeyframeAt! - r.firstPacketAt! < 1500,
          `keyframe ${r.firstKeyframeAt! - r.firstPacketAt!} ms after the first packet`,
        );
        const streams = forwardedStreams(p.offers.at(-1)!);
        assert.equal(streams.map((x) => x.streamId.split(' ')[0]).sort(), [other.id, other.id]);
        assert.equal(streams.map((x) => x.kind).sort(), ['audio', 'video']);
      }
      assert.ok((a.player?.keyframeRequests ?? 0) > 0, 'the publisher was asked for a keyframe');
      const stats = room.stats();
      assert.is(stats.peers, 2);
      assert.is(stats.forwardedTracks, 4);
      assert.ok(stats.packetsForwarded > 100, `${stats.packetsForwarded} packets forwarded`);
    },
  );

  s('three participants each receive the two others; one leaving is removed from the others', async (ctx) => {
    const room = await router(ctx, 'room-three');
    const people = [person('p1'), person('p2'), person('p3')];
    for (const p of people) await p.join(room);
    await assertFullMesh(people);
    assert.is(room.stats().forwardedTracks, 12);

    const [p1, p2, p3] = people as [TestParticipant, TestParticipant, TestParticipant];
    const offersBefore = [p1.offers.length, p2.offers.length];
    await p3.peer!.close();
    assert.is(room.peer('p3'), undefined);
    for (const [i, p] of [p1, p2].entries()) {
      await until(`${p.id} getting an offer without p3`, () => p.offers.length > offersBefore[i]!);
      const ids = forwardedStreams(p.offers.at(-1)!).map((x) => x.streamId.split(' ')[0]);
      assert.not.ok(ids.includes('p3'), `${p.id}'s new offer still forwards p3`);
      assert.is(ids.length, 2);
    }
    assert.is(room.stats().forwardedTracks, 4);
    assert.is(room.stats().peers, 2);
  });

  s('a participant that only watches receives everyone and publishes nothing', async (ctx) => {
    const room = await router(ctx, 'room-watch');
    const [a, watcher] = [person('speaker'), person('watcher', false)];
    await a.join(room);
    await watcher.join(room);
    await until('the watcher receiving', () => (watcher.received.get('speaker')?.video.packets ?? 0) > 20);
    await sleep(300);
    assert.is(a.received.size, 0, 'nothing is forwarded from a peer that sends nothing');
    assert.is(room.stats().forwardedTracks, 2);
  });

  s('two routers never leak media to each other', async (ctx) => {
    const [r1, r2] = [await router(ctx, 'room-a'), await router(ctx, 'room-b')];
    const [a1, a2, b1, b2] = [person('a1'), person('a2'), person('b1'), person('b2')];
    await Promise.all([a1.join(r1), a2.join(r1), b1.join(r2), b2.join(r2)]);
    await assertFullMesh([a1, a2]);
    await assertFullMesh([b1, b2]);
    for (const p of [a1, a2, b1, b2]) {
      const everyId = p.offers.flatMap(forwardedStreams).map((x) => x.streamId.split(' ')[0]);
      const room = p.id[0];
      assert.ok(
        everyId.every((id) => id?.[0] === room),
        `${p.id} was offered ${everyId.join(',')}`,
      );
    }
  });

  s(
    'lost video packets are asked for again (NACK) and resent (RTX), publisher → SFU and SFU → subscriber',
    async (ctx) => {
      const room = await router(ctx, 'room-loss');
      // Different packets on each leg: a packet lost on the way up must be recovered before it can go down.
      const up = new WireLoss({ out: (seq) => seq % 25 === 0 });
      const down = new WireLoss({ in: (seq) => seq % 25 === 12 });
      const publisher = new TestParticipant('lossy-up', { clip, loss: up });
      const subscriber = new TestParticipant('lossy-down', { loss: down });
      open.push(publisher, subscriber);
      const seen = new Set<number>();
      subscriber.onPacket = (_, kind, rtp) => {
        if (kind === 'video') seen.add(rtp.header.sequenceNumber);
      };
      await publisher.join(room);
      await subscriber.join(room);
      await until('the subscriber receiving video', () => seen.size > 30);
      const first = Math.min(...seen);
      await sleep(3000);
      const last = Math.max(...seen);
      // Packets dropped before the subscriber could receive, or in the last half second, prove nothing.
      const settled = (dropped: Set<number>) => [...dropped].filter((seq) => seq > first && seq < last - 30);
      for (const [leg, dropped] of [
        ['publisher → SFU', settled(up.droppedOut)],
        ['SFU → subscriber', settled(down.droppedIn)],
      ] as const) {
        assert.ok(dropped.length >= 5, `${leg}: only ${dropped.length} packets dropped`);
        const missing = dropped.filter((seq) => !seen.has(seq));
        assert.equal(missing, [], `${leg}: dropped packets never recovered`);
      }
      // The publisher resends only what a NACK names; what reached the subscriber again came as RTX.
      assert.ok(
        down.rtxIn >= settled(down.droppedIn).length,
        `${down.rtxIn} RTX packets reached the subscriber`,
      );
    },
  );

  s('a closed router closes every peer and refuses new ones', async (ctx) => {
    const room = await router(ctx, 'room-closed');
    const [a, b] = [person('c1'), person('c2')];
    const closedReasons: string[] = [];
    await a.join(room);
    await b.join(room);
    await assertFullMesh([a, b]);
    await room.close();
    assert.is(room.stats().peers, 0);
    assert.is(room.stats().forwardedTracks, 0);
    assert.is(room.peer('c1'), undefined);
    await sleep(700); // what was already on its way (sockets, event loop) arrives
    const received = a.received.get('c2')!.video.packets;
    await sleep(1000);
    assert.is(a.received.get('c2')!.video.packets, received, 'media still flows after close');
    try {
      await room.join('late', { offer: () => {}, ice: () => {}, closed: (r) => closedReasons.push(r) });
      assert.unreachable('joined a closed router');
    } catch (error) {
      assert.instance(error, Error);
    }
  });

  s('a recording writes WebM segments per participant (VP8 + Opus) with their times', async (ctx) => {
    const room = await router(ctx, 'room-rec');
    const dir = await mkdtemp(path.join(tmpdir(), 'sfu-rec-'));
    try {
      const [a, b] = [person('rec-a'), person('rec-b')];
      await a.join(room);
      await b.join(room);
      await assertFullMesh([a, b]);
      const segments: RecordedSegment[] = [];
      const t0 = Date.now();
      const recording = await room.record({
        directory: dir,
        segmentSeconds: 2,
        segment: async (segment) => {
          segments.push(segment);
        },
      });
      await sleep(5000);
      const stoppedAt = Date.now();
      await recording.stop();
      const t1 = Date.now();
      for (const id of ['rec-a', 'rec-b']) {
        const mine = segments.filter((x) => x.participantId === id);
        assert.ok(mine.length >= 2, `${id}: ${mine.length} segments`);
        assert.equal(
          mine.map((x) => x.index),
          [...mine.keys()],
          'indexes count 0, 1, 2…',
        );
        let total = 0;
        for (const segment of mine) {
          assert.ok(segment.startedAt >= t0 - 50 && segment.endedAt <= t1 + 50, 'times inside the recording');
          assert.ok(
            segment.endedAt > segment.startedAt,
            `segment ${segment.index}: ${segment.startedAt} → ${segment.endedAt}`,
          );
          assert.equal([...segment.kinds].sort(), ['audio', 'video']);
          const { size } = await stat(segment.path);
          assert.ok(size > 1000, `segment ${segment.index}: ${size} bytes`);
          const probe = await probeWebm(segment.path);
          assert.equal(probe.codecs.sort(), ['opus', 'vp8'], `${segment.path}: ${probe.codecs.join(',')}`);
          const wall = (segment.endedAt - segment.startedAt) / 1000;
          // The file's duration is media time (RTP timestamps), startedAt/endedAt arrival times: they
          // differ by how bursty delivery was, which a loaded machine makes up to about a second.
          assert.ok(Math.abs(probe.duration - wall) < 1, `file ${probe.duration} s, media ${wall} s`);
          total += probe.duration;
        }
        // Segments follow each other without a gap: together they cover the recording, less its start.
        const span = (stoppedAt - t0) / 1000;
        assert.ok(
          total > span - 1 && total < span + 0.5,
          `${id}: ${total.toFixed(2)} s recorded in ${span} s`,
        );
      }
    } finally {
      await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    }
  });

  s.run();
}

async function probeWebm(file: string): Promise<{ codecs: string[]; duration: number }> {
  const { stdout } = await promisify(execFile)(ffprobe.path, [
    ...['-v', 'error', '-show_entries', 'stream=codec_name:format=duration,format_name', '-of', 'json', file],
  ]);
  const json = JSON.parse(stdout) as {
    streams: { codec_name: string }[];
    format: { duration: string; format_name: string };
  };
  assert.match(json.format.format_name, /webm|matroska/);
  return { codecs: json.streams.map((x) => x.codec_name), duration: Number(json.format.duration) };
}
