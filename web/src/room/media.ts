/**
 * The dojo's WebRTC client. The server (an SFU in the room) offers and this side answers: `media:join`
 * asks for a session, every `media:offer` (the first and each renegotiation when tracks come and go) is
 * answered with `media:answer`, ICE trickles both ways as `media:ice`. The camera and microphone go out on
 * the offer's receiving sections; every forwarded section carries one participant's track, whose stream id
 * (`a=msid`) is that participant's userId, so tracks are grouped into one MediaStream per participant.
 */
import { CLIENT_MESSAGES, SERVER_MESSAGES, type MediaKind, type MediaOffer } from '../../../protocol/dojo.ts';
import { forwarded, mediaSections, publishing, type MediaSection } from './sdp.ts';

export type { MediaKind };

/** The `media:*` messages, both ways (`media:ice` travels in both directions under one name). */
export const MEDIA_MESSAGES = {
  join: CLIENT_MESSAGES.mediaJoin,
  offer: SERVER_MESSAGES.mediaOffer,
  answer: CLIENT_MESSAGES.mediaAnswer,
  ice: CLIENT_MESSAGES.mediaIce,
  mute: CLIENT_MESSAGES.mediaMute,
  leave: CLIENT_MESSAGES.mediaLeave,
} as const;

/** The offer, with the room's STUN/TURN servers (ICE_SERVERS; empty means host candidates only). */
type OfferMessage = Partial<MediaOffer> & { readonly sdp: string };

interface IceMessage {
  readonly candidate: string | null;
  readonly sdpMid: string | null;
  readonly sdpMLineIndex: number | null;
}

/** The room connection as the media client uses it. */
export interface Signaling {
  send(type: string, payload: unknown): void;
  on(type: string, listener: (payload: unknown) => void): () => void;
}

export interface MediaEvents {
  /** This participant's own camera and microphone (undefined when none could be opened). */
  local(stream: MediaStream | undefined): void;
  /** userId → that participant's forwarded audio and video, after every negotiation. */
  remotes(streams: ReadonlyMap<string, MediaStream>): void;
  connection(state: RTCPeerConnectionState): void;
  problem(message: string): void;
}

export interface MediaClientOptions {
  readonly signaling: Signaling;
  readonly events: MediaEvents;
  /** Used until an offer brings its own; none means host candidates only. */
  readonly iceServers?: RTCIceServer[];
  /** Publishes the peer connection on `window.__dojoMedia` (see debugHook()). */
  readonly debug?: boolean;
}

/** A forwarded track as the debug hook lists it, for tests reading getStats(). */
export interface ForwardedTrack {
  readonly mid: string;
  readonly kind: string;
  readonly userId: string;
  readonly trackId: string;
}

const MAX_RESTARTS = 3;

export class MediaClient {
  readonly #o: MediaClientOptions;
  readonly #unsubscribe: (() => void)[] = [];
  #pc: RTCPeerConnection | undefined;
  #iceServers: RTCIceServer[];
  #local: MediaStream | undefined;
  readonly #muted = { audio: false, video: false };
  /** Offers are answered one at a time, in order. */
  #chain: Promise<void> = Promise.resolve();
  #pendingIce: IceMessage[] = [];
  #sections: MediaSection[] = [];
  readonly #remotes = new Map<string, MediaStream>();
  #restarts = 0;
  #stopped = false;

  constructor(options: MediaClientOptions) {
    this.#o = options;
    this.#iceServers = options.iceServers ?? [];
    const s = options.signaling;
    this.#unsubscribe.push(
      s.on(MEDIA_MESSAGES.offer, (m) => this.#onOffer(m as OfferMessage)),
      s.on(MEDIA_MESSAGES.ice, (m) => void this.#onIce(m as IceMessage)),
    );
  }

  get muted(): Readonly<{ audio: boolean; video: boolean }> {
    return { ...this.#muted };
  }

  get hasTrack(): Readonly<{ audio: boolean; video: boolean }> {
    return {
      audio: (this.#local?.getAudioTracks().length ?? 0) > 0,
      video: (this.#local?.getVideoTracks().length ?? 0) > 0,
    };
  }

  /** Opens the camera and microphone (whatever of them exists and is allowed) and asks for a session. */
  async start(): Promise<void> {
    this.#local = await openDevices((message) => this.#o.events.problem(message));
    if (this.#stopped) return this.#local?.getTracks().forEach((t) => t.stop());
    this.#o.events.local(this.#local);
    this.#o.signaling.send(MEDIA_MESSAGES.join, {});
  }

  /** A new session on a new connection (after the room reconnected, or the connection failed). */
  restart(): void {
    if (this.#stopped) return;
    this.#closePeer();
    this.#o.signaling.send(MEDIA_MESSAGES.join, {});
  }

  setMuted(kind: MediaKind, muted: boolean): void {
    this.#muted[kind] = muted;
    // A disabled track keeps its place in the session and sends silence or black; nothing renegotiates.
    for (const track of this.#local?.getTracks() ?? []) if (track.kind === kind) track.enabled = !muted;
    this.#o.signaling.send(MEDIA_MESSAGES.mute, { kind, muted });
  }

  /** Leaves the media session and releases the devices. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    try {
      this.#o.signaling.send(MEDIA_MESSAGES.leave, {});
    } catch {
      // The room is already gone: the server drops the session with it.
    }
    for (const off of this.#unsubscribe) off();
    this.#closePeer();
    for (const track of this.#local?.getTracks() ?? []) track.stop();
    this.#local = undefined;
    if (this.#o.debug) delete (window as DebugWindow).__dojoMedia;
  }

  #onOffer(offer: OfferMessage): void {
    this.#chain = this.#chain
      .then(() => this.#answer(offer))
      .catch((error: unknown) => this.#o.events.problem(`Media negotiation failed: ${describe(error)}`));
  }

  async #answer(offer: OfferMessage): Promise<void> {
    if (this.#stopped || typeof offer?.sdp !== 'string') return;
    const pc = this.#peer(offer.iceServers as RTCIceServer[] | undefined);
    await pc.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
    const sections = mediaSections(offer.sdp);
    await this.#publish(pc, sections);
    await pc.setLocalDescription(await pc.createAnswer());
    this.#o.signaling.send(MEDIA_MESSAGES.answer, { sdp: pc.localDescription?.sdp ?? '' });
    const first = this.#sections.length === 0;
    this.#sections = sections;
    for (const candidate of this.#pendingIce.splice(0)) await this.#addIce(pc, candidate);
    this.#reconcile();
    // The server learns of a mute chosen before the session existed.
    if (first) {
      for (const kind of ['audio', 'video'] as const)
        if (this.#muted[kind]) this.#o.signaling.send(MEDIA_MESSAGES.mute, { kind, muted: true });
    }
  }

  #peer(iceServers: RTCIceServer[] | undefined): RTCPeerConnection {
    const changed =
      iceServers !== undefined && JSON.stringify(iceServers) !== JSON.stringify(this.#iceServers);
    if (iceServers) this.#iceServers = iceServers;
    if (this.#pc) {
      if (changed)
        this.#pc.setConfiguration({ ...this.#pc.getConfiguration(), iceServers: this.#iceServers });
      return this.#pc;
    }
    const pc = new RTCPeerConnection({ iceServers: this.#iceServers, bundlePolicy: 'max-bundle' });
    pc.onicecandidate = (e) => {
      // Chrome also reports an empty candidate per generation; only the final null ends gathering.
      if (e.candidate && !e.candidate.candidate) return;
      const c = e.candidate;
      this.#o.signaling.send(MEDIA_MESSAGES.ice, {
        candidate: c ? c.candidate : null,
        sdpMid: c ? c.sdpMid : null,
        sdpMLineIndex: c ? c.sdpMLineIndex : null,
      });
    };
    pc.onconnectionstatechange = () => this.#onConnection(pc);
    pc.ontrack = (e) => e.track.addEventListener('ended', () => this.#reconcile());
    this.#pc = pc;
    if (this.#o.debug) (window as DebugWindow).__dojoMedia = debugHook(this, pc);
    return pc;
  }

  /** Puts the camera and microphone on the sections the server receives on, one track per kind. */
  async #publish(pc: RTCPeerConnection, sections: readonly MediaSection[]): Promise<void> {
    const used = new Set<MediaStreamTrack>();
    for (const section of sections.filter(publishing)) {
      const transceiver = pc.getTransceivers().find((t) => t.mid === section.mid);
      if (!transceiver) continue;
      const track = this.#local
        ?.getTracks()
        .find((t) => t.kind === section.kind && !used.has(t) && t.readyState === 'live');
      if (!track) {
        transceiver.direction = section.direction === 'sendrecv' ? 'recvonly' : 'inactive';
        continue;
      }
      used.add(track);
      if (transceiver.sender.track !== track) await transceiver.sender.replaceTrack(track);
      if (this.#local) transceiver.sender.setStreams(this.#local);
      transceiver.direction = section.direction === 'sendrecv' ? 'sendrecv' : 'sendonly';
    }
  }

  /** Groups the live forwarded tracks into one stream per participant; gone ones are dropped. */
  #reconcile(): void {
    const pc = this.#pc;
    if (!pc) return;
    const tracks = new Map<string, MediaStreamTrack[]>();
    for (const section of this.#sections.filter(forwarded)) {
      const track = pc.getTransceivers().find((t) => t.mid === section.mid)?.receiver.track;
      if (!section.streamId || !track || track.readyState === 'ended') continue;
      tracks.set(section.streamId, [...(tracks.get(section.streamId) ?? []), track]);
    }
    for (const userId of [...this.#remotes.keys()]) if (!tracks.has(userId)) this.#remotes.delete(userId);
    for (const [userId, wanted] of tracks) {
      let stream = this.#remotes.get(userId);
      if (!stream) this.#remotes.set(userId, (stream = new MediaStream()));
      for (const t of stream.getTracks()) if (!wanted.includes(t)) stream.removeTrack(t);
      for (const t of wanted) if (!stream.getTracks().includes(t)) stream.addTrack(t);
    }
    this.#o.events.remotes(new Map(this.#remotes));
  }

  async #onIce(message: IceMessage): Promise<void> {
    if (this.#stopped || !message) return;
    const pc = this.#pc;
    if (!pc?.remoteDescription) {
      this.#pendingIce.push(message);
      return;
    }
    await this.#addIce(pc, message);
  }

  async #addIce(pc: RTCPeerConnection, m: IceMessage): Promise<void> {
    try {
      if (m.candidate === null) await pc.addIceCandidate();
      else
        await pc.addIceCandidate({
          candidate: m.candidate,
          sdpMid: m.sdpMid,
          sdpMLineIndex: m.sdpMLineIndex,
        });
    } catch (error) {
      // One bad candidate does not break the session; the others may still connect.
      console.warn('ICE candidate refused', m, error);
    }
  }

  #onConnection(pc: RTCPeerConnection): void {
    if (pc !== this.#pc) return;
    this.#o.events.connection(pc.connectionState);
    if (pc.connectionState === 'connected') this.#restarts = 0;
    if (pc.connectionState !== 'failed' || this.#stopped) return;
    if (this.#restarts >= MAX_RESTARTS) {
      this.#o.events.problem('The media connection failed; audio and video are unavailable.');
      return;
    }
    this.#restarts++;
    setTimeout(() => this.restart(), 1000 * this.#restarts);
  }

  #closePeer(): void {
    this.#pc?.close();
    this.#pc = undefined;
    this.#sections = [];
    this.#pendingIce = [];
    this.#chain = Promise.resolve();
    this.#remotes.clear();
    this.#o.events.remotes(new Map());
  }

  /** userId → the audio level (0–1) last heard from each participant forwarded to this client. */
  audioLevels(): Map<string, number> {
    const levels = new Map<string, number>();
    const pc = this.#pc;
    if (!pc) return levels;
    for (const section of this.#sections.filter(forwarded)) {
      if (section.kind !== 'audio' || !section.streamId) continue;
      const receiver = pc.getTransceivers().find((t) => t.mid === section.mid)?.receiver;
      const level = receiver?.getSynchronizationSources()[0]?.audioLevel ?? 0;
      levels.set(section.streamId, Math.max(levels.get(section.streamId) ?? 0, level));
    }
    return levels;
  }

  /** The forwarded tracks of the current session (what the debug hook lists). */
  forwardedTracks(): ForwardedTrack[] {
    const pc = this.#pc;
    if (!pc) return [];
    return this.#sections.filter(forwarded).flatMap((s) => {
      const track = pc.getTransceivers().find((t) => t.mid === s.mid)?.receiver.track;
      return track && s.streamId ? [{ mid: s.mid, kind: s.kind, userId: s.streamId, trackId: track.id }] : [];
    });
  }
}

/**
 * The debug hook: with `localStorage['dojo.debug'] = 'media'`, `window.__dojoMedia` holds the current peer
 * connection and the forwarded tracks by mid, so a test (or a person in the console) can read getStats()
 * per participant. Nothing reads it in the app.
 */
export interface DojoMediaDebug {
  readonly pc: RTCPeerConnection;
  tracks(): ForwardedTrack[];
}
type DebugWindow = Window & { __dojoMedia?: DojoMediaDebug };

const debugHook = (client: MediaClient, pc: RTCPeerConnection): DojoMediaDebug => ({
  pc,
  tracks: () => client.forwardedTracks(),
});

export const mediaDebugEnabled = (): boolean => {
  try {
    return localStorage.getItem('dojo.debug') === 'media';
  } catch {
    return false;
  }
};

/** Camera and microphone; failing both, the microphone alone, then the camera alone, then nothing. */
async function openDevices(problem: (message: string) => void): Promise<MediaStream | undefined> {
  const video = { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 24 } };
  const attempts: MediaStreamConstraints[] = [
    { audio: true, video },
    { audio: true, video: false },
    { audio: false, video },
  ];
  let last: unknown;
  for (const constraints of attempts) {
    try {
      const stream = await navigator.mediaDevices.getUserMedia(constraints);
      if (constraints !== attempts[0])
        problem(`Joined without ${constraints.video ? 'a microphone' : 'a camera'}.`);
      return stream;
    } catch (error) {
      last = error;
      if ((error as DOMException)?.name === 'NotAllowedError') break;
    }
  }
  problem(`Camera and microphone unavailable (${describe(last)}): you can watch and listen only.`);
  return undefined;
}

const describe = (error: unknown): string =>
  error instanceof Error ? error.message || error.name : String(error);
