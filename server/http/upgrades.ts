import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../lib/log.ts';
import type { CorsPolicy } from './cors.ts';
import { rawProblemResponse } from './problem.ts';

/** Something that serves WebSocket connections on the server's port (the rooms; later, push). */
export interface UpgradeTarget {
  readonly name: string;
  /** Whether this upgrade is for it (by path); the first target that matches takes it. */
  matches(req: IncomingMessage): boolean;
  accept(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /**
   * Ends the target's connections when the node starts draining (Node's `server.close()` waits for
   * upgraded sockets too, so the HTTP drain would otherwise wait for them until its timeout).
   */
  shutdown?(): Promise<void>;
}

function refuse(socket: Duplex, status: 403 | 404, code: string, detail: string): void {
  socket.end(rawProblemResponse(status, code, detail));
}

/**
 * The front door for WebSocket upgrades: a browser page from an origin not in CORS_ORIGINS is refused
 * (403) before any target sees the request, since browsers let any page open a WebSocket anywhere;
 * clients that send no Origin (mobile apps, servers) are not browsers and pass. An upgrade no target
 * serves is a 404, never a socket left hanging.
 */
export function upgradeHandler(options: {
  readonly cors: CorsPolicy;
  readonly targets: readonly UpgradeTarget[];
  readonly logger: Logger;
}): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const origin = req.headers.origin;
    if (!options.cors.allows(origin)) {
      options.logger.debug({ origin, url: req.url }, 'websocket from a foreign origin refused');
      refuse(socket, 403, 'HTTP.ORIGIN_NOT_ALLOWED', 'This origin may not open WebSockets here.');
      return;
    }
    const target = options.targets.find((t) => t.matches(req));
    if (!target) {
      refuse(socket, 404, 'HTTP.ROUTE_NOT_FOUND', 'Nothing serves WebSockets at this path.');
      return;
    }
    target.accept(req, socket, head);
  };
}
