/** A socket.io client as the contract describes one: `io(origin, {auth: {token}, transports: ['websocket']})`. */
import { request } from 'node:http';
import { io, type Socket } from 'socket.io-client';

export interface Connected {
  readonly socket: Socket;
  /** Every event received, in order. */
  readonly received: { event: string; payload: unknown }[];
  /** Resolves with the reason once the server (or the network) ends the connection. */
  readonly disconnected: Promise<string>;
  /** Resolves with the next payload of `event` (or of one already received and not yet taken). */
  next(event: string, timeoutMs?: number): Promise<unknown>;
  close(): void;
}

const clientOptions = (auth: Record<string, unknown> | undefined, headers: Record<string, string>) => ({
  ...(auth ? { auth } : {}),
  transports: ['websocket'],
  reconnection: false,
  forceNew: true,
  timeout: 5000,
  extraHeaders: headers,
});

/** Connects, or rejects with the connect_error's message. */
export function connect(
  url: string,
  token: string | undefined,
  options: { headers?: Record<string, string>; auth?: Record<string, unknown> } = {},
): Promise<Connected> {
  const socket = io(
    url,
    clientOptions(options.auth ?? (token === undefined ? undefined : { token }), options.headers ?? {}),
  );
  const received: { event: string; payload: unknown }[] = [];
  const taken = new Set<number>();
  const waiters: { event: string; resolve: (p: unknown) => void }[] = [];
  socket.onAny((event: string, payload: unknown) => {
    const waiter = waiters.findIndex((w) => w.event === event);
    received.push({ event, payload });
    if (waiter >= 0) {
      taken.add(received.length - 1);
      waiters.splice(waiter, 1)[0]?.resolve(payload);
    }
  });
  const disconnected = new Promise<string>((resolve) =>
    socket.once('disconnect', (reason) => resolve(reason)),
  );
  return new Promise((resolve, reject) => {
    socket.once('connect', () =>
      resolve({
        socket,
        received,
        disconnected,
        next: (event, timeoutMs = 5000) => {
          const index = received.findIndex((r, i) => r.event === event && !taken.has(i));
          if (index >= 0) {
            taken.add(index);
            return Promise.resolve(received[index]?.payload);
          }
          return new Promise((res, rej) => {
            const timer = setTimeout(() => rej(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
            waiters.push({
              event,
              resolve: (p) => {
                clearTimeout(timer);
                res(p);
              },
            });
          });
        },
        close: () => socket.disconnect(),
      }),
    );
    socket.once('connect_error', (error: Error) => {
      socket.disconnect();
      reject(error);
    });
  });
}

/** The connect_error message a handshake gets (fails if it connects). */
export async function refusal(
  url: string,
  token: string | undefined,
  options: { auth?: Record<string, unknown> } = {},
): Promise<string> {
  try {
    const c = await connect(url, token, options);
    c.close();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the handshake was accepted');
}

/** The HTTP status a raw WebSocket upgrade gets (101 when it upgrades); by default to the socket.io path. */
export function upgradeStatus(
  url: string,
  headers: Record<string, string>,
  path = '/socket.io/?EIO=4&transport=websocket',
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, {
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': Buffer.from('0123456789abcdef').toString('base64'),
        ...headers,
      },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Resolves after `ms`, to check that something did not arrive. */
export const quiet = (ms: number) => new Promise((r) => setTimeout(r, ms));
