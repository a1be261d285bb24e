/**
 * Live events over socket.io (`/socket.io/`, websocket only): `notification`, `notification:count` and
 * `job:progress`. socket.io-client is loaded lazily after login, so the login page does not ship it. The
 * handshake's token comes from a function, so a reconnect sends a fresh one; AUTH.TOKEN_EXPIRED refreshes.
 */
import type { Socket } from 'socket.io-client';
import type { Paths } from './api/schema.gen.ts';
import type { SessionStore } from './api/session.ts';

export type Notification = Paths['/v1/user/notification']['get']['responses'][200]['notifications'][number];
export interface JobProgress {
  kind: 'report' | 'video' | 'recording';
  id: string;
  status: string;
  progress: number;
}
type Listener<T> = (value: T) => void;

export class Live {
  private socket: Socket | undefined;
  private count = 0;
  private readonly countListeners = new Set<Listener<number>>();
  private readonly notificationListeners = new Set<Listener<Notification>>();
  private readonly progressListeners = new Set<Listener<JobProgress>>();
  private readonly sessions: SessionStore;
  private readonly origin: string;

  constructor(sessions: SessionStore, origin: string) {
    this.sessions = sessions;
    this.origin = origin;
  }

  get unreadCount(): number {
    return this.count;
  }

  setUnread(count: number): void {
    this.count = count;
    for (const l of this.countListeners) l(count);
  }

  onCount(l: Listener<number>): () => void {
    this.countListeners.add(l);
    return () => this.countListeners.delete(l);
  }
  onNotification(l: Listener<Notification>): () => void {
    this.notificationListeners.add(l);
    return () => this.notificationListeners.delete(l);
  }
  onProgress(l: Listener<JobProgress>): () => void {
    this.progressListeners.add(l);
    return () => this.progressListeners.delete(l);
  }

  get connected(): boolean {
    return this.socket?.connected ?? false;
  }

  async connect(): Promise<void> {
    if (this.socket) return;
    const { io } = await import('socket.io-client');
    if (this.socket || !this.sessions.current()) return;
    const socket = io(this.origin, {
      path: '/socket.io/',
      transports: ['websocket'],
      auth: (cb) => {
        this.sessions.token().then(
          (token) => cb({ token }),
          () => cb({ token: '' }),
        );
      },
    });
    this.socket = socket;
    socket.on('notification', (n: Notification) => {
      for (const l of this.notificationListeners) l(n);
    });
    socket.on('notification:count', (c: { unreadCount: number }) => this.setUnread(c.unreadCount));
    socket.on('job:progress', (p: JobProgress) => {
      for (const l of this.progressListeners) l(p);
    });
    socket.on('connect', () => document.documentElement.setAttribute('data-live', 'connected'));
    socket.on('disconnect', () => document.documentElement.setAttribute('data-live', 'disconnected'));
    socket.on('connect_error', (error: Error) => {
      // An expired token: refresh and let socket.io retry with the new one; a revoked one ends the session.
      if (error.message === 'AUTH.TOKEN_EXPIRED') void this.sessions.refresh().catch(() => undefined);
      else if (error.message.startsWith('AUTH.')) this.disconnect();
    });
  }

  disconnect(): void {
    this.socket?.disconnect();
    this.socket = undefined;
    document.documentElement.removeAttribute('data-live');
  }
}
