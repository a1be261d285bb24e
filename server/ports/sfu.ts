/**
 * A selective forwarding unit: each dojo room owns one router; each participant in it gets one peer
 * connection that publishes its camera and microphone once and receives every other participant's
 * tracks, forwarded as RTP without transcoding. Adapters: sfu-werift (pure TypeScript WebRTC). A
 * mediasoup adapter can be added where its worker installs; nothing here is werift-specific.
 *
 * Signaling is the caller's: the router hands out SDP offers and ICE candidates through the events it
 * was given, and takes the client's answer and candidates back.
 */

export type MediaKind = 'audio' | 'video';

export interface IceServer {
  readonly urls: string | readonly string[];
  readonly username?: string;
  readonly credential?: string;
}

/** As in the browser's RTCIceCandidateInit; `candidate: null` ends gathering. */
export interface IceCandidate {
  readonly candidate: string | null;
  readonly sdpMid: string | null;
  readonly sdpMLineIndex: number | null;
}

export interface PeerEvents {
  /** An offer for the client: the first one, and a new one whenever the forwarded tracks change. */
  offer(sdp: string): void;
  /** A server candidate for the client (trickle ICE). */
  ice(candidate: IceCandidate): void;
  /** What this peer publishes changed (a track arrived or ended). */
  published?(tracks: { readonly audio: boolean; readonly video: boolean }): void;
  /** The connection failed or closed on its own (not through close()). */
  closed?(reason: string): void;
}

export interface MediaPeer {
  readonly participantId: string;
  /**
   * The client's answer to the last offer. Rejects with a conflict AppError when no offer awaits an
   * answer (a duplicate or late one), an invalid one (field `sdp`) when the SDP cannot be applied.
   */
  answer(sdp: string): Promise<void>;
  /** Rejects with an invalid AppError (field `candidate`) for a candidate the connection refuses. */
  addIceCandidate(candidate: IceCandidate): Promise<void>;
  /** Removes the peer and its tracks from every other peer (which get a new offer). */
  close(): Promise<void>;
}

/** A closed piece of a participant's recording: one WebM file (its audio and video), as received. */
export interface RecordedSegment {
  readonly participantId: string;
  /** 0, 1, 2… per participant. */
  readonly index: number;
  /** Epoch ms of the first and last media written. */
  readonly startedAt: number;
  readonly endedAt: number;
  /** A local file the adapter wrote; the receiver moves it away (uploads it) and deletes it. */
  readonly path: string;
  readonly kinds: readonly MediaKind[];
}

export interface RecordingOptions {
  /** A local directory for the segment files. */
  readonly directory: string;
  /** Segments are cut about this often, so a node dying loses at most this much (default 10 s). */
  readonly segmentSeconds?: number;
  /** Called for each closed segment, in order per participant; awaited before the next is handed out. */
  segment(segment: RecordedSegment): Promise<void>;
}

export interface Recording {
  /** Cuts every open segment, hands each to `segment`, and stops recording. */
  stop(): Promise<void>;
}

export interface RouterStats {
  readonly peers: number;
  /** Tracks being forwarded: for each published track, one per receiving peer. */
  readonly forwardedTracks: number;
  readonly packetsForwarded: number;
  readonly packetsDropped: number;
}

export interface MediaRouter {
  readonly roomId: string;
  /** A new peer for the participant (an existing one for the same participant is closed first). */
  join(participantId: string, events: PeerEvents): Promise<MediaPeer>;
  peer(participantId: string): MediaPeer | undefined;
  /** Records every published track, including those of peers joining later, until stop(). */
  record(options: RecordingOptions): Promise<Recording>;
  stats(): RouterStats;
  /** Closes every peer and any recording (its open segments are still handed out). */
  close(): Promise<void>;
}

export interface Sfu {
  readonly name: string;
  createRouter(roomId: string): Promise<MediaRouter>;
  /** STUN/TURN servers for clients (ICE_SERVERS); empty means host candidates only. */
  iceServers(): readonly IceServer[];
  close(): Promise<void>;
}
