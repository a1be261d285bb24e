import type { Logger } from '../../lib/log.ts';
import type { IceServer, MediaRouter, Sfu } from '../../ports/sfu.ts';
import { peerConfig, type NetworkOptions } from './peer-config.ts';
import { WeriftRouter } from './router.ts';

export interface WeriftSfuOptions extends NetworkOptions {
  readonly logger: Logger;
}

/** The SFU on werift: pure TypeScript WebRTC in this process, one router per room. */
export function createWeriftSfu(options: WeriftSfuOptions): Sfu {
  const config = peerConfig(options);
  const iceServers: readonly IceServer[] = options.iceServers ?? [];
  const routers = new Set<WeriftRouter>();
  let closed = false;
  return {
    name: 'werift',
    async createRouter(roomId: string): Promise<MediaRouter> {
      if (closed) throw new Error('the SFU is closed');
      const router: WeriftRouter = new WeriftRouter({
        roomId,
        config,
        logger: options.logger.child({ roomId }),
        onClosed: () => routers.delete(router),
      });
      routers.add(router);
      return router;
    },
    iceServers: () => iceServers,
    async close() {
      closed = true;
      await Promise.allSettled([...routers].map((r) => r.close()));
    },
  };
}
