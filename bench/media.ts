/**
 * The SFU's forwarding under load. Dojos of 6 werift participants each publish a real VP8 stream (a test
 * pattern encoded once by ffmpeg, looped, 30 fps ~600 kbit/s) and an Opus stream; every track goes to
 * the other five (60 forwarded tracks a dojo). The SFU runs in a child process (bench/media-server.ts), so
 * its CPU (process.cpuUsage there) is its own; loss and forwarding delay are measured here, where both
 * the send and the receive time are taken on one clock. Dojos are added one at a time until loss passes
 * 1 %, the server saturates a core, or --max-dojos is reached.
 *
 *   npm run bench -- media [--max-dojos 4] [--seconds 6] [--no-compose]
 *
 * Targets: a dojo of 6 (60 forwarded tracks) under 50 % of one core; how many dojos before loss > 1 %.
 * A second part reports the recording composer's speed (see compositionSpeed below).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { IceCandidate, MediaKind, MediaPeer, PeerEvents } from '../server/ports/sfu.ts';
import { loadClip } from '../test/contract/sfu-clip.ts';
import { TestParticipant } from '../test/contract/sfu-participant.ts';
import { numberOption } from './args.ts';
import type { FromServer, ToServer } from './media-server.ts';

const DOJO_SIZE = 6;
/** Packets sent in the last moments of a window may still be on their way: they are not expected yet. */
const GRACE_MS = 500;

type Measured = Extract<FromServer, { t: 'measured' }>;

class ServerProcess {
  private readonly child: ChildProcess;
  private readonly events = new Map<string, PeerEvents>();
  private readonly joined = new Map<string, () => void>();
  private measured: ((m: Measured) => void) | undefined;

  constructor() {
    this.child = fork(path.join(import.meta.dirname, 'media-server.ts'), [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (message: FromServer) => {
      if (message.t === 'offer') this.events.get(message.id)?.offer(message.sdp);
      else if (message.t === 'ice') this.events.get(message.id)?.ice(message.candidate);
      else if (message.t === 'joined') this.joined.get(message.id)?.();
      else this.measured?.(message);
    });
  }

  send(message: ToServer): void {
    this.child.send(message);
  }

  room(room: string) {
    return {
      join: async (id: string, events: PeerEvents): Promise<MediaPeer> => {
        this.events.set(id, events);
        const joined = new Promise<void>((resolve) => this.joined.set(id, resolve));
        this.send({ t: 'join', room, id });
        await joined;
        return {
          participantId: id,
          answer: async (sdp: string) => this.send({ t: 'answer', id, sdp }),
          addIceCandidate: async (candidate: IceCandidate) => this.send({ t: 'ice', id, candidate }),
          close: async () => {},
        };
      },
    };
  }

  measure(): Promise<Measured> {
    return new Promise((resolve) => {
      this.measured = resolve;
      this.send({ t: 'measure' });
    });
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.send({ t: 'close' });
    await Promise.race([exited, sleep(5000)]);
    if (this.child.exitCode === null) this.child.kill();
  }
}

/**
 * Loss and delay over a window, from every subscriber's view of every forwarded track. Only the members
 * of a publisher's own dojo are expected to receive it.
 */
class Window {
  readonly delays: number[] = [];
  private readonly seen = new Map<string, Set<number>>();
  private readonly from: number;
  private to = Infinity;
  private readonly dojos: readonly (readonly TestParticipant[])[];

  constructor(dojos: readonly (readonly TestParticipant[])[]) {
    this.dojos = dojos;
    this.from = performance.now();
    const people = dojos.flat();
    const byId = new Map(people.map((p) => [p.id, p]));
    for (const subscriber of people) {
      subscriber.onPacket = (publisherId, kind, rtp, at) => {
        const sentAt = byId.get(publisherId)?.player?.sentAt[kind][rtp.header.sequenceNumber];
        if (sentAt === undefined || sentAt < this.from || sentAt > this.to) return;
        const key = `${subscriber.id}>${publisherId}:${kind}`;
        const seqs = this.seen.get(key) ?? new Set<number>();
        this.seen.set(key, seqs);
        if (seqs.has(rtp.header.sequenceNumber)) return;
        seqs.add(rtp.header.sequenceNumber);
        this.delays.push(at - sentAt);
      };
    }
  }

  close(): { expected: number; received: number } {
    this.to = performance.now() - GRACE_MS;
    let expected = 0;
    let received = 0;
    for (const people of this.dojos) {
      for (const publisher of people) {
        for (const kind of ['audio', 'video'] as MediaKind[]) {
          const sentAt = publisher.player?.sentAt[kind] ?? [];
          const inWindow = (t: number | undefined) => t !== undefined && t >= this.from && t <= this.to;
          const sent = sentAt.filter(inWindow).length;
          for (const subscriber of people) {
            if (subscriber === publisher) continue;
            expected += sent;
            for (const seq of this.seen.get(`${subscriber.id}>${publisher.id}:${kind}`) ?? []) {
              if (inWindow(sentAt[seq])) received++;
            }
          }
        }
      }
    }
    for (const p of this.dojos.flat()) p.onPacket = undefined;
    return { expected, received };
  }
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted.length ? (sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN) : NaN;

export async function run(args: readonly string[]): Promise<void> {
  const maxDojos = numberOption(args, '--max-dojos', 4);
  const seconds = numberOption(args, '--seconds', 6);
  const clip = await loadClip();
  const server = new ServerProcess();
  const dojos: TestParticipant[][] = [];
  const rows: string[][] = [];
  let carried = 0;
  const projected: number[] = [];
  console.log(
    `dojos of ${DOJO_SIZE}, VP8 640×360 30 fps + Opus each; ${seconds} s windows; SFU in a child process`,
  );
  try {
    for (let dojo = 1; dojo <= maxDojos; dojo++) {
      const room = server.room(`dojo-${dojo}`);
      const joining = Array.from(
        { length: DOJO_SIZE },
        (_, i) => new TestParticipant(`d${dojo}-p${i}`, { clip }),
      );
      for (const p of joining) await p.join(room);
      dojos.push(joining);
      await sleep(3000); // connections up, renegotiations settled, keyframes sent
      const window = new Window(dojos);
      const ownBefore = process.cpuUsage();
      const before = await server.measure();
      await sleep(seconds * 1000);
      const after = await server.measure();
      const own = process.cpuUsage(ownBefore);
      const ownCpu = (own.user + own.system) / 1000 / (after.at - before.at);
      const { expected, received } = window.close();
      const ms = after.at - before.at;
      const cpu = (after.cpuMicros - before.cpuMicros) / 1000 / ms;
      const loss = expected ? 1 - received / expected : 1;
      const delays = window.delays.sort((a, b) => a - b);
      const forwarded = after.packetsForwarded - before.packetsForwarded;
      // CPU time per forwarded packet, and what a dojo would take if every packet offered were forwarded
      // (on a starved machine the server forwards less than it is offered, and its CPU % says too little).
      const microsPerPacket = (after.cpuMicros - before.cpuMicros) / Math.max(1, forwarded);
      const offeredPerSecond = (expected / (ms - GRACE_MS)) * 1000;
      const projectedDojo = (microsPerPacket * offeredPerSecond) / 1e6 / dojo;
      rows.push([
        String(dojo),
        String(after.forwardedTracks),
        `${(cpu * 100).toFixed(1)} %`,
        `${((cpu * 100) / Math.max(1, after.forwardedTracks)).toFixed(2)} %`,
        `${((forwarded / ms) * 1000).toFixed(0)}/${offeredPerSecond.toFixed(0)}`,
        `${microsPerPacket.toFixed(0)} µs`,
        `${(projectedDojo * 100).toFixed(1)} %`,
        `${(loss * 100).toFixed(2)} %`,
        `${percentile(delays, 0.5).toFixed(1)} ms`,
        `${percentile(delays, 0.99).toFixed(1)} ms`,
        `${(ownCpu * 100).toFixed(0)} %`,
      ]);
      projected.push(projectedDojo);
      printTable(rows);
      if (loss <= 0.01) carried = dojo;
      else break;
      if (cpu > 0.9) break;
    }
  } finally {
    await Promise.all(dojos.flat().map((p) => p.close()));
    await server.close();
  }
  const perDojo = projected[0] ?? NaN;
  console.log(
    `\ntarget: a dojo of 6 (60 forwarded tracks) under 50 % of one core: ${(perDojo * 100).toFixed(1)} % at the full packet rate → ${perDojo < 0.5 ? 'PASS' : 'MISS'}`,
  );
  console.log(
    `dojos carried with loss ≤ 1 %: ${carried}${carried === maxDojos ? ' (the most tried; --max-dojos raises it)' : ''}`,
  );
  console.log(`one core's worth of forwarding at that cost: ${(1 / perDojo).toFixed(1)} dojos`);
  const [load] = loadavg();
  if ((load ?? 0) > cpus().length) {
    console.log(
      `warning: load average ${load?.toFixed(1)} on ${cpus().length} cores: both processes were starved, so loss and delay measure the machine, not the SFU`,
    );
  }
  await compositionSpeed(args);
}

function printTable(rows: readonly string[][]): void {
  const header = [
    'dojos',
    'fwd tracks',
    'server CPU',
    'CPU/track',
    'fwd/offered pkt/s',
    'CPU/pkt',
    'CPU/dojo @full rate',
    'loss',
    'p50 delay',
    'p99 delay',
    'load gen CPU',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padStart(widths[i] ?? 0)).join('  ');
  console.log('\n' + line(header));
  for (const row of rows) console.log(line(row));
}

/**
 * Composition speed: the recording composer (server/modules/recordings/compose/) on 6 participants at
 * 720p, as a multiple of real time (target ≥ 1×). Its benchmark is the composer's own
 * (bench/media-compose.ts, also `npm run bench -- media-compose`); `--no-compose` leaves it out.
 */
async function compositionSpeed(args: readonly string[]): Promise<void> {
  if (args.includes('--no-compose')) return;
  console.log('\n--- composition speed (bench/media-compose.ts) ---');
  const compose = (await import('./media-compose.ts')) as { run(args: readonly string[]): Promise<void> };
  // --seconds and --max-dojos are this benchmark's own; the composer's --seconds is its recording length.
  const own = new Set(['--seconds', '--max-dojos']);
  await compose.run(
    args.filter((a, i) => !own.has(a) && !own.has(args[i - 1] ?? '') && a !== '--no-compose'),
  );
}
