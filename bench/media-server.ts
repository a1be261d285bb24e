/**
 * The SFU under load, in a process of its own so that its CPU is measured apart from the load
 * generator's (bench/media.ts). Signaling travels over the IPC channel: join, answer and ice in; offer and
 * ice out; `measure` answers with this process's CPU time and the routers' stats.
 */
import { createWeriftSfu } from '../server/adapters/sfu-werift/index.ts';
import { silentLogger } from '../server/lib/log.ts';
import type { IceCandidate, MediaPeer, MediaRouter } from '../server/ports/sfu.ts';

export type ToServer =
  | { t: 'join'; room: string; id: string }
  | { t: 'answer'; id: string; sdp: string }
  | { t: 'ice'; id: string; candidate: IceCandidate }
  | { t: 'measure' }
  | { t: 'close' };

export type FromServer =
  | { t: 'offer'; id: string; sdp: string }
  | { t: 'ice'; id: string; candidate: IceCandidate }
  | { t: 'joined'; id: string }
  | {
      t: 'measured';
      cpuMicros: number;
      at: number;
      forwardedTracks: number;
      packetsForwarded: number;
      packetsDropped: number;
    };

const sfu = createWeriftSfu({ hostAddresses: ['127.0.0.1'], logger: silentLogger() });
const routers = new Map<string, MediaRouter>();
const peers = new Map<string, MediaPeer>();
const send = (message: FromServer) => process.send?.(message);

process.on('message', (message: ToServer) => {
  void handle(message).catch((error: unknown) => console.error('media-server:', error));
});

async function handle(message: ToServer): Promise<void> {
  switch (message.t) {
    case 'join': {
      let router = routers.get(message.room);
      if (!router) routers.set(message.room, (router = await sfu.createRouter(message.room)));
      const id = message.id;
      peers.set(
        id,
        await router.join(id, {
          offer: (sdp) => send({ t: 'offer', id, sdp }),
          ice: (candidate) => send({ t: 'ice', id, candidate }),
        }),
      );
      send({ t: 'joined', id });
      return;
    }
    case 'answer':
      return peers.get(message.id)?.answer(message.sdp);
    case 'ice':
      return peers.get(message.id)?.addIceCandidate(message.candidate);
    case 'measure': {
      const cpu = process.cpuUsage();
      const totals = { forwardedTracks: 0, packetsForwarded: 0, packetsDropped: 0 };
      for (const router of routers.values()) {
        const stats = router.stats();
        totals.forwardedTracks += stats.forwardedTracks;
        totals.packetsForwarded += stats.packetsForwarded;
        totals.packetsDropped += stats.packetsDropped;
      }
      send({ t: 'measured', cpuMicros: cpu.user + cpu.system, at: performance.now(), ...totals });
      return;
    }
    case 'close':
      await sfu.close();
      process.exit(0);
  }
}
