import type { IncomingMessage } from 'node:http';
import { Server as Engine } from 'engine.io';
import { Counter, Gauge } from 'prom-client';
import { Server, type Socket } from 'socket.io';
import type { Caller, Push, PushEvents } from '../../capabilities.ts';
import type { UpgradeTarget } from '../../http/upgrades.ts';
import { AppError } from '../../lib/errors.ts';
import type { DojoModule } from '../../modules.ts';
import { SocketRegistry } from './registry.ts';

/** Where the realtime push is served (the contract's "Notifications"). */
export const PUSH_PATH = '/socket.io/';

export interface PushOptions {
  /** engine.io heartbeat: a ping every interval; a client that does not answer within the timeout is dropped. */
  readonly pingIntervalMs: number;
  readonly pingTimeoutMs: number;
  /** How long a WebSocket may stay open without completing the socket.io handshake (its CONNECT). */
  readonly connectTimeoutMs: number;
  /** The largest message a client may send: the handshake with its token is all a client ever sends. */
  readonly maxMessageBytes: number;
}

export const DEFAULT_PUSH_OPTIONS: PushOptions = {
  pingIntervalMs: 25_000,
  pingTimeoutMs: 20_000,
  connectTimeoutMs: 10_000,
  // An access token is at most 4 KiB (the accounts module refuses longer ones), plus the packet's framing.
  maxMessageBytes: 8 * 1024,
};

interface SocketData extends Caller {
  readonly token: string;
  /** The revocation count when the token was verified: one that came in meanwhile is checked again. */
  readonly epoch: number;
}

type ServerToClient = { [E in keyof PushEvents]: (payload: PushEvents[E]) => void };
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
type ClientToServer = {};
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
type ServerToServer = {};
type PushSocket = Socket<ClientToServer, ServerToClient, ServerToServer, SocketData>;

const userRoom = (userId: string) => `user:${userId}`;

/** socket.io's emit, for an event name the capability types per event. */
type Emitter = { emit(event: string, payload: unknown): boolean };

const refused = (code: string, message: string) => new AppError(code, message, { kind: 'UNAUTHENTICATED' });

/** The connect_error a client sees: `message` is the code alone, `data.code` repeats it. */
function connectError(code: string): Error & { data: { code: string } } {
  return Object.assign(new Error(code), { data: { code } });
}

/** Whether an upgrade request is for socket.io (the path, with or without a query string). */
export function isPushRequest(req: IncomingMessage): boolean {
  return (req.url ?? '').startsWith(PUSH_PATH);
}

/**
 * Realtime push (the contract's "Notifications", realtime part): socket.io on the server's own port, behind
 * the front door's origin check, WebSocket transport only. A client authenticates in the handshake
 * (`auth: {token}`), joins the room of its user, and receives the events other modules send it through the
 * `push` capability, from whichever node they are emitted (over Redis when the system has it). Revocations
 * (logout, ended sessions, disabled users) disconnect the sockets they name. Clients send nothing.
 */
export function createPushModule(input: Partial<PushOptions> = {}): DojoModule {
  const options: PushOptions = { ...DEFAULT_PUSH_OPTIONS, ...input };
  return {
    name: 'push',
    init: (ctx) => {
      const logger = ctx.logger.child({ module: 'push' });
      const auth = ctx.auth;
      // The cross-node backplane with Redis; without it socket.io's in-memory adapter serves this node alone.
      const backplane = ctx.adapters.push;

      const io = new Server<ClientToServer, ServerToClient, ServerToServer, SocketData>({
        path: PUSH_PATH,
        serveClient: false,
        connectTimeout: options.connectTimeoutMs,
        ...(backplane ? { adapter: backplane.adapter } : {}),
      });
      // Not attached to an HTTP server: the front door hands over the upgrades it let through (below).
      io.bind(
        new Engine({
          transports: ['websocket'],
          allowUpgrades: false,
          pingInterval: options.pingIntervalMs,
          pingTimeout: options.pingTimeoutMs,
          maxHttpBufferSize: options.maxMessageBytes,
          perMessageDeflate: false,
          httpCompression: false,
        }),
      );

      const sockets = new SocketRegistry<PushSocket>();
      const registry = ctx.metrics.registry;
      new Gauge({
        name: 'dojo_push_sockets',
        help: 'Authenticated push (socket.io) sockets connected to this node',
        registers: [registry],
        collect() {
          this.set(sockets.size);
        },
      });
      const events = new Counter({
        name: 'dojo_push_events_total',
        help: 'Events sent to users through the push capability from this node, by event',
        labelNames: ['event'],
        registers: [registry],
      });
      const refusals = new Counter({
        name: 'dojo_push_refusals_total',
        help: 'Push handshakes refused, by error code',
        labelNames: ['code'],
        registers: [registry],
      });

      const verify = async (handshakeAuth: unknown): Promise<{ caller: Caller; token: string }> => {
        const token = (handshakeAuth as { token?: unknown } | undefined)?.token;
        if (token === undefined || token === null || token === '') {
          throw refused('AUTH.TOKEN_MISSING', 'An access token is required.');
        }
        if (typeof token !== 'string') throw refused('AUTH.INVALID_TOKEN', 'The access token is invalid.');
        return { caller: auth.known(token) ?? (await auth.verify(token)), token };
      };

      let revocations = 0;
      io.use((socket, next) => {
        const epoch = revocations;
        verify(socket.handshake.auth).then(
          ({ caller, token }) => {
            socket.data = { ...caller, token, epoch };
            next();
          },
          (error: unknown) => {
            const code = error instanceof AppError ? error.code : 'PUSH.INTERNAL';
            if (!(error instanceof AppError)) logger.error({ err: error }, 'push handshake failed');
            refusals.inc({ code });
            next(connectError(code));
          },
        );
      });

      const end = (list: readonly PushSocket[], why: string) => {
        for (const socket of list) {
          logger.debug({ userId: socket.data.userId, why }, 'push socket ended');
          socket.disconnect(true);
        }
      };
      /** Verifies the sockets' tokens again, after the revocation that asked for it has been applied. */
      const recheck = (list: () => readonly PushSocket[]) =>
        setImmediate(() => {
          for (const socket of list()) {
            auth.verify(socket.data.token).catch((error: unknown) => {
              end([socket], error instanceof AppError ? error.code : 'recheck failed');
            });
          }
        });

      io.on('connection', (socket) => {
        const data = socket.data;
        void socket.join(userRoom(data.userId));
        sockets.add(socket, data);
        socket.once('disconnect', () => sockets.remove(socket, data));
        // The contract has no client-to-server events: a client that sends one is not a client of ours.
        socket.onAny(() => end([socket], 'client sent an event'));
        // A revocation that arrived while the token was being verified may have missed this socket.
        if (data.epoch !== revocations) recheck(() => [socket]);
      });

      // Every node hears every revocation (the accounts module broadcasts them): local sockets suffice.
      const unsubscribe = auth.onRevoked((revocation) => {
        revocations++;
        if (revocation.kind === 'token') end(sockets.ofToken(revocation.jti), 'token revoked');
        else if (revocation.kind === 'session') end(sockets.ofSession(revocation.sessionId), 'session ended');
        else recheck(() => sockets.ofUser(revocation.userId));
      });

      const push: Push = {
        toUser: async (userId, event, payload) => {
          events.inc({ event });
          // This node's sockets get it at once; through the backplane, socket.io would deliver even to
          // them only after Redis acknowledged the broadcast (a burst then waits for its whole round).
          const local = sockets.ofUser(userId);
          for (const socket of local) (socket as unknown as Emitter).emit(event, payload);
          if (!backplane) return;
          // The other nodes' sockets: the same broadcast, minus the ones served above.
          const others = io.to(userRoom(userId)).except(local.map((socket) => socket.id));
          // Typed per event by the capability; socket.io's emit cannot follow a generic event name.
          (others as unknown as Emitter).emit(event, payload);
        },
      };

      const target: UpgradeTarget = {
        name: 'push',
        matches: isPushRequest,
        // handleUpgrade prepares the request itself (its `_query` from the URL), as attach() would.
        accept: (req, socket, head) => io.engine.handleUpgrade(req, socket, head),
        shutdown: async () => {
          // As a server going away: the transports close, so clients reconnect (to another node).
          io.engine.close();
        },
      };
      const upgrades: UpgradeTarget[] = ctx.config.roles.includes('api') ? [target] : [];

      return {
        upgrades,
        provides: { push },
        close: async () => {
          unsubscribe();
          // Closes every socket as a server going away (clients reconnect, to another node), the adapter
          // (its stream reader) and the engine.
          await io.close();
        },
      };
    },
  };
}
