import {
  MediaStream,
  RTCPeerConnection,
  type MediaStreamTrack,
  type PeerConfig,
  type RTCRtpReceiver,
  type RTCRtpTransceiver,
} from 'werift';
import { conflict, invalid } from '../../lib/errors.ts';
import type { IceCandidate, MediaKind, MediaPeer, PeerEvents } from '../../ports/sfu.ts';
import type { Forwarder } from './forwarder.ts';

/** What a peer tells its router. */
export interface PeerHost {
  published(peer: WeriftPeer, kind: MediaKind, track: MediaStreamTrack, receiver: RTCRtpReceiver): void;
  unpublished(peer: WeriftPeer, kind: MediaKind): void;
  /** Takes the peer out of the room: `reason` when its connection failed or closed by itself, none for close(). */
  remove(peer: WeriftPeer, reason?: string): Promise<void>;
}

interface Outgoing {
  readonly forwarder: Forwarder;
  readonly transceiver: RTCRtpTransceiver;
  /** A keyframe was asked for since this subscription could first receive. */
  primed: boolean;
}

const KINDS: readonly MediaKind[] = ['audio', 'video'];
const trackKey = (publisherId: string, kind: MediaKind) => `${kind}:${publisherId}`;

/**
 * One participant's connection. The server always offers: the first m-lines receive the participant's own
 * audio and video, and one sendonly m-line per forwarded track follows, its msid stream id the
 * publisher's participant id. Changes while an offer awaits its answer are folded into one new offer
 * sent after that answer, so the two sides never offer at once.
 */
export class WeriftPeer implements MediaPeer {
  readonly participantId: string;
  private readonly pc: RTCPeerConnection;
  private readonly events: PeerEvents;
  private readonly host: PeerHost;
  private readonly incoming = new Map<MediaKind, RTCRtpTransceiver>();
  private readonly publishing = new Set<MediaKind>();
  private readonly outgoing = new Map<string, Outgoing>();
  private awaitingAnswer = false;
  private renegotiate = false;
  private scheduled = false;
  private closed = false;
  private heldCandidates: IceCandidate[] | undefined = [];

  constructor(options: {
    participantId: string;
    events: PeerEvents;
    host: PeerHost;
    config: Partial<PeerConfig>;
  }) {
    this.participantId = options.participantId;
    this.events = options.events;
    this.host = options.host;
    this.pc = new RTCPeerConnection(options.config);
    for (const kind of KINDS)
      this.incoming.set(kind, this.pc.addTransceiver(kind, { direction: 'recvonly' }));
    this.pc.ontrack = ({ track, transceiver }) => {
      const kind = KINDS.find((k) => this.incoming.get(k) === transceiver);
      if (!kind || this.closed) return;
      this.publishing.add(kind);
      this.host.published(this, kind, track, transceiver.receiver);
      this.notifyPublished();
    };
    this.pc.onIceCandidate.subscribe((candidate) => {
      if (this.closed) return;
      const json = candidate?.toJSON();
      const ice = {
        candidate: json?.candidate ?? null,
        sdpMid: json?.sdpMid ?? null,
        sdpMLineIndex: json?.sdpMLineIndex ?? null,
      };
      // werift gathers while it sets the offer, before the offer is handed out; a client cannot add a
      // candidate before it has the offer, so candidates wait for it.
      if (this.heldCandidates) this.heldCandidates.push(ice);
      else this.events.ice(ice);
    });
    this.pc.connectionStateChange.subscribe((state) => {
      if (this.closed) return;
      if (state === 'connected') this.primeKeyframes();
      if (state === 'failed' || state === 'closed') void this.host.remove(this, `connection ${state}`);
    });
  }

  /** Sends the first offer. */
  start(): void {
    this.scheduleNegotiation();
  }

  /** Starts receiving another participant's track (a new m-line, a new offer). */
  forward(forwarder: Forwarder): void {
    const key = trackKey(forwarder.publisherId, forwarder.kind);
    if (this.closed || this.outgoing.has(key)) return;
    const transceiver = this.pc.addTransceiver(forwarder.kind, {
      direction: 'sendonly',
      streams: [new MediaStream({ id: forwarder.publisherId, tracks: [] })],
    });
    forwarder.subscribe(this.participantId, transceiver.sender);
    this.outgoing.set(key, { forwarder, transceiver, primed: false });
    this.scheduleNegotiation();
  }

  /** Stops receiving a track (its m-line is stopped, a new offer). */
  unforward(publisherId: string, kind: MediaKind): void {
    const key = trackKey(publisherId, kind);
    const entry = this.outgoing.get(key);
    if (!entry) return;
    this.outgoing.delete(key);
    entry.forwarder.unsubscribeFrom(this.participantId);
    if (this.closed) return;
    entry.transceiver.stop();
    this.scheduleNegotiation();
  }

  async answer(sdp: string): Promise<void> {
    if (this.closed) throw conflict('media_peer_closed', 'This media session is closed');
    if (!this.awaitingAnswer || this.pc.signalingState !== 'have-local-offer') {
      throw conflict('media_no_offer', 'There is no offer awaiting an answer');
    }
    try {
      await this.pc.setRemoteDescription({ type: 'answer', sdp });
    } catch (error) {
      throw invalid('media_bad_answer', `The answer could not be applied: ${(error as Error).message}`, [
        { path: 'sdp', message: 'is not a valid answer to the last offer' },
      ]);
    }
    this.awaitingAnswer = false;
    this.checkPublishing();
    if (this.pc.connectionState === 'connected') this.primeKeyframes();
    if (this.renegotiate) {
      this.renegotiate = false;
      this.scheduleNegotiation();
    }
  }

  async addIceCandidate(candidate: IceCandidate): Promise<void> {
    if (this.closed) return;
    try {
      await this.pc.addIceCandidate(
        candidate.candidate === null
          ? null
          : {
              candidate: candidate.candidate,
              ...(candidate.sdpMid !== null ? { sdpMid: candidate.sdpMid } : {}),
              ...(candidate.sdpMLineIndex !== null ? { sdpMLineIndex: candidate.sdpMLineIndex } : {}),
            },
      );
    } catch (error) {
      throw invalid('media_bad_candidate', `The ICE candidate was refused: ${(error as Error).message}`, [
        { path: 'candidate', message: 'is not a valid ICE candidate for this session' },
      ]);
    }
  }

  close(): Promise<void> {
    return this.host.remove(this);
  }

  /** Called by the router once it took the peer's tracks from the others; false if it was closed already. */
  async shutdown(): Promise<boolean> {
    if (this.closed) return false;
    this.closed = true;
    for (const entry of this.outgoing.values()) entry.forwarder.unsubscribeFrom(this.participantId);
    this.outgoing.clear();
    await this.pc.close().catch(() => {
      // Closing a connection that failed can throw inside werift; it is closed all the same.
    });
    return true;
  }

  notifyClosed(reason: string): void {
    this.events.closed?.(reason);
  }

  /** A keyframe for every forwarded video this peer can now receive, so its tiles start at once. */
  private primeKeyframes(): void {
    for (const entry of this.outgoing.values()) {
      if (entry.primed || !entry.transceiver.sender.codec) continue;
      entry.primed = true;
      entry.forwarder.requestKeyframe();
    }
  }

  /** An answer can stop the client's sending (its m-line inactive): that track is no longer published. */
  private checkPublishing(): void {
    for (const kind of KINDS) {
      const direction = this.incoming.get(kind)?.currentDirection;
      if (this.publishing.has(kind) && direction !== 'recvonly' && direction !== 'sendrecv') {
        this.publishing.delete(kind);
        this.host.unpublished(this, kind);
        this.notifyPublished();
      }
    }
  }

  private notifyPublished(): void {
    this.events.published?.({ audio: this.publishing.has('audio'), video: this.publishing.has('video') });
  }

  private scheduleNegotiation(): void {
    if (this.closed) return;
    if (this.awaitingAnswer) {
      this.renegotiate = true;
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    // Changes made in the same turn (a peer joining with two tracks) become one offer.
    setImmediate(() => {
      this.scheduled = false;
      void this.offer();
    });
  }

  private async offer(): Promise<void> {
    if (this.closed || this.awaitingAnswer) return;
    this.awaitingAnswer = true;
    try {
      const offer = await this.pc.createOffer();
      await this.pc.setLocalDescription(offer);
      if (this.closed) return;
      this.events.offer(this.pc.localDescription?.sdp ?? offer.sdp);
      const held = this.heldCandidates;
      this.heldCandidates = undefined;
      for (const candidate of held ?? []) this.events.ice(candidate);
    } catch (error) {
      if (!this.closed) void this.host.remove(this, `negotiation failed: ${(error as Error).message}`);
    }
  }
}
