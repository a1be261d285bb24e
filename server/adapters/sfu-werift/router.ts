import type { MediaStreamTrack, PeerConfig, RTCRtpReceiver } from 'werift';
import { conflict } from '../../lib/errors.ts';
import type { Logger } from '../../lib/log.ts';
import type {
  MediaKind,
  MediaPeer,
  MediaRouter,
  PeerEvents,
  Recording,
  RecordingOptions,
  RouterStats,
} from '../../ports/sfu.ts';
import { Forwarder, type ForwardCounters } from './forwarder.ts';
import { WeriftPeer, type PeerHost } from './peer.ts';
import { RoomRecording } from './recording.ts';

const key = (participantId: string, kind: MediaKind) => `${kind}:${participantId}`;

/**
 * One room's media: its peers, one forwarder per published track, and its recordings. Every published
 * track is forwarded to every other peer of this router and to no one else: routers share nothing.
 */
export class WeriftRouter implements MediaRouter, PeerHost {
  readonly roomId: string;
  private readonly config: Partial<PeerConfig>;
  private readonly logger: Logger;
  private readonly onClosed: () => void;
  private readonly peers = new Map<string, WeriftPeer>();
  private readonly forwarders = new Map<string, Forwarder>();
  private readonly recordings = new Set<RoomRecording>();
  private readonly counters: ForwardCounters = { forwarded: 0, dropped: 0 };
  private closed = false;

  constructor(options: {
    roomId: string;
    config: Partial<PeerConfig>;
    logger: Logger;
    onClosed: () => void;
  }) {
    this.roomId = options.roomId;
    this.config = options.config;
    this.logger = options.logger;
    this.onClosed = options.onClosed;
  }

  async join(participantId: string, events: PeerEvents): Promise<MediaPeer> {
    if (this.closed) throw conflict('media_router_closed', 'This room has no media any more');
    const existing = this.peers.get(participantId);
    if (existing) await this.remove(existing);
    const peer = new WeriftPeer({ participantId, events, host: this, config: this.config });
    this.peers.set(participantId, peer);
    for (const forwarder of this.forwarders.values()) peer.forward(forwarder);
    peer.start();
    return peer;
  }

  peer(participantId: string): MediaPeer | undefined {
    return this.peers.get(participantId);
  }

  published(peer: WeriftPeer, kind: MediaKind, track: MediaStreamTrack, receiver: RTCRtpReceiver): void {
    if (this.peers.get(peer.participantId) !== peer) return;
    this.dropForwarder(peer.participantId, kind);
    const forwarder = new Forwarder({
      publisherId: peer.participantId,
      kind,
      track,
      receiver,
      counters: this.counters,
    });
    this.forwarders.set(key(peer.participantId, kind), forwarder);
    for (const other of this.peers.values()) if (other !== peer) other.forward(forwarder);
    this.tracksChanged(peer.participantId);
  }

  unpublished(peer: WeriftPeer, kind: MediaKind): void {
    if (this.peers.get(peer.participantId) !== peer) return;
    this.dropForwarder(peer.participantId, kind);
    this.tracksChanged(peer.participantId);
  }

  async remove(peer: WeriftPeer, reason?: string): Promise<void> {
    if (this.peers.get(peer.participantId) === peer) {
      this.peers.delete(peer.participantId);
      for (const kind of ['audio', 'video'] as const) this.dropForwarder(peer.participantId, kind);
      this.tracksChanged(peer.participantId);
    }
    const wasOpen = await peer.shutdown();
    if (wasOpen && reason) {
      this.logger.info({ roomId: this.roomId, participantId: peer.participantId, reason }, 'media peer lost');
      peer.notifyClosed(reason);
    }
  }

  async record(options: RecordingOptions): Promise<Recording> {
    if (this.closed) throw conflict('media_router_closed', 'This room has no media any more');
    const recording = new RoomRecording({
      ...options,
      logger: this.logger,
      onStopped: () => this.recordings.delete(recording),
    });
    this.recordings.add(recording);
    for (const participantId of this.peers.keys())
      recording.tracksChanged(participantId, this.tracksOf(participantId));
    return recording;
  }

  stats(): RouterStats {
    let forwardedTracks = 0;
    for (const forwarder of this.forwarders.values()) forwardedTracks += forwarder.subscriberCount;
    return {
      peers: this.peers.size,
      forwardedTracks,
      packetsForwarded: this.counters.forwarded,
      packetsDropped: this.counters.dropped,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Recordings first: their last segments are cut while the media still flows.
    await Promise.allSettled([...this.recordings].map((r) => r.stop()));
    await Promise.allSettled([...this.peers.values()].map((peer) => this.remove(peer)));
    this.onClosed();
  }

  private tracksOf(participantId: string): Map<MediaKind, Forwarder> {
    const tracks = new Map<MediaKind, Forwarder>();
    for (const kind of ['audio', 'video'] as const) {
      const forwarder = this.forwarders.get(key(participantId, kind));
      if (forwarder) tracks.set(kind, forwarder);
    }
    return tracks;
  }

  private tracksChanged(participantId: string): void {
    const tracks = this.tracksOf(participantId);
    for (const recording of this.recordings) recording.tracksChanged(participantId, tracks);
  }

  private dropForwarder(participantId: string, kind: MediaKind): void {
    const k = key(participantId, kind);
    const forwarder = this.forwarders.get(k);
    if (!forwarder) return;
    this.forwarders.delete(k);
    for (const peer of this.peers.values()) peer.unforward(participantId, kind);
    forwarder.close();
  }
}
