import { MediaTracks, type DojoState } from '../../../../protocol/dojo-state.ts';
import {
  ROOM_ERRORS,
  SERVER_MESSAGES,
  type MediaKind,
  type MediaOffer,
  type RoomErrorMessage,
} from '../../../../protocol/dojo.ts';
import type { Logger } from '../../../lib/log.ts';
import type { IceCandidate, MediaPeer, MediaRouter, Sfu } from '../../../ports/sfu.ts';

/** Sends a room message to one connection. */
export type SendTo = (sessionId: string, type: string, payload: unknown) => void;

interface MediaSession {
  readonly sessionId: string;
  readonly peer: Promise<MediaPeer>;
  published: { audio: boolean; video: boolean };
  readonly muted: { audio: boolean; video: boolean };
}

const noSession = (): RoomErrorMessage => ({
  code: ROOM_ERRORS.NO_MEDIA_SESSION,
  message: 'No media session on this connection: send media:join first.',
});

/**
 * The room's media: its SFU router (opened with the room, closed with it) and one media session per
 * participant, owned by the connection that sent `media:join` (a second tab that joins takes it over).
 * Only seated members reach here, through the room's handler table, so nobody negotiates another dojo's
 * media. The state's `media` map shows who is in a session and what they send (false while muted).
 */
export class RoomMedia {
  readonly #sfu: Sfu | undefined;
  readonly #roomId: string;
  readonly #state: DojoState;
  readonly #send: SendTo;
  readonly #log: Logger;
  readonly #sessions = new Map<string, MediaSession>();
  #router: Promise<MediaRouter> | undefined;

  constructor(o: { sfu: Sfu | undefined; roomId: string; state: DojoState; send: SendTo; logger: Logger }) {
    this.#sfu = o.sfu;
    this.#roomId = o.roomId;
    this.#state = o.state;
    this.#send = o.send;
    this.#log = o.logger;
  }

  /** Opens the router now (the room's creation), so the first join does not wait for it. */
  open(): Promise<MediaRouter> | undefined {
    if (!this.#sfu) return undefined;
    this.#router ??= this.#sfu.createRouter(this.#roomId);
    return this.#router;
  }

  router(): Promise<MediaRouter> | undefined {
    return this.#router;
  }

  async join(userId: string, sessionId: string): Promise<RoomErrorMessage | undefined> {
    const router = this.open();
    if (!router || !this.#sfu)
      return { code: ROOM_ERRORS.MEDIA_FAILED, message: 'This room has no media server.' };
    const iceServers = this.#sfu.iceServers();
    const previous = this.#sessions.get(userId);
    const session: MediaSession = {
      sessionId,
      published: { audio: false, video: false },
      muted: previous?.sessionId === sessionId ? previous.muted : { audio: false, video: false },
      peer: router.then((r) =>
        r.join(userId, {
          offer: (sdp) => {
            if (this.#sessions.get(userId) !== session) return;
            this.#send(sessionId, SERVER_MESSAGES.mediaOffer, { sdp, iceServers } satisfies MediaOffer);
          },
          ice: (candidate) => {
            if (this.#sessions.get(userId) === session)
              this.#send(sessionId, SERVER_MESSAGES.mediaIce, candidate);
          },
          published: (tracks) => {
            if (this.#sessions.get(userId) !== session) return;
            session.published = { ...tracks };
            this.#show(userId, session);
          },
          closed: (reason) => {
            if (this.#sessions.get(userId) !== session) return;
            this.#log.info({ reason }, 'media session closed by its connection');
            this.#drop(userId);
          },
        }),
      ),
    };
    this.#sessions.set(userId, session);
    this.#show(userId, session);
    try {
      await session.peer;
      return undefined;
    } catch (error) {
      this.#log.warn({ err: error }, 'media session not opened');
      if (this.#sessions.get(userId) === session) this.#drop(userId);
      return { code: ROOM_ERRORS.MEDIA_FAILED, message: 'The media session could not be opened.' };
    }
  }

  async answer(userId: string, sessionId: string, sdp: string): Promise<RoomErrorMessage | undefined> {
    const session = this.#own(userId, sessionId);
    if (!session) return noSession();
    try {
      await (await session.peer).answer(sdp);
      return undefined;
    } catch (error) {
      this.#log.info({ err: error }, 'media answer refused');
      return { code: ROOM_ERRORS.MEDIA_FAILED, message: 'The answer could not be applied.' };
    }
  }

  async ice(
    userId: string,
    sessionId: string,
    candidate: IceCandidate,
  ): Promise<RoomErrorMessage | undefined> {
    const session = this.#own(userId, sessionId);
    if (!session) return noSession();
    await (await session.peer).addIceCandidate(candidate).catch((error: unknown) => {
      this.#log.debug({ err: error }, 'ICE candidate ignored');
    });
    return undefined;
  }

  mute(userId: string, sessionId: string, kind: MediaKind, muted: boolean): RoomErrorMessage | undefined {
    const session = this.#own(userId, sessionId);
    if (!session) return noSession();
    session.muted[kind] = muted;
    this.#show(userId, session);
    return undefined;
  }

  /** Ends the user's media session; with a sessionId, only if that connection owns it. */
  leave(userId: string, sessionId?: string): void {
    if (sessionId !== undefined && !this.#own(userId, sessionId)) return;
    this.#drop(userId);
  }

  async close(): Promise<void> {
    const router = this.#router;
    this.#router = undefined;
    this.#sessions.clear();
    if (router) await (await router.catch(() => undefined))?.close();
  }

  #own(userId: string, sessionId: string): MediaSession | undefined {
    const session = this.#sessions.get(userId);
    return session?.sessionId === sessionId ? session : undefined;
  }

  #drop(userId: string): void {
    const session = this.#sessions.get(userId);
    if (!session) return;
    this.#sessions.delete(userId);
    this.#state.media.delete(userId);
    void session.peer.then((p) => p.close()).catch(() => undefined);
  }

  #show(userId: string, session: MediaSession): void {
    const audio = session.published.audio && !session.muted.audio;
    const video = session.published.video && !session.muted.video;
    const shown = this.#state.media.get(userId);
    if (!shown) {
      this.#state.media.set(userId, new MediaTracks().assign({ audio, video }));
      return;
    }
    if (shown.audio !== audio) shown.audio = audio;
    if (shown.video !== video) shown.video = video;
  }
}
