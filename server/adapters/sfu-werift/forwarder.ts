import type { MediaStreamTrack, RtpPacket, RTCRtpReceiver, RTCRtpSender } from 'werift';
import type { MediaKind } from '../../ports/sfu.ts';
import { vp8KeyframeSize } from './vp8.ts';

/** Packet counters a router sums up for its stats. */
export interface ForwardCounters {
  forwarded: number;
  dropped: number;
}

/** How often a publisher is asked for a keyframe at most: receivers that lose packets ask in bursts. */
const KEYFRAME_INTERVAL_MS = 1000;

/**
 * One published track and the senders it is forwarded to. Every RTP packet the publisher sends is handed
 * to each subscriber's sender unchanged (werift only rewrites SSRC and payload type to what that
 * connection negotiated); a subscriber's PLI or FIR becomes one rate-limited PLI to the publisher.
 */
export class Forwarder {
  readonly publisherId: string;
  readonly kind: MediaKind;
  readonly track: MediaStreamTrack;
  private readonly receiver: RTCRtpReceiver;
  private readonly counters: ForwardCounters;
  private readonly subscribers = new Map<string, { sender: RTCRtpSender; dispose: () => void }>();
  private ssrc: number | undefined;
  /** The picture size of the publisher's last keyframe (video only). */
  videoSize: { width: number; height: number } | undefined;
  private flowing: (() => void) | undefined;
  /** Resolves with the first packet: only then does werift know the track's codec (the recorder needs it). */
  readonly firstPacket: Promise<void>;
  private readonly unsubscribe: () => void;
  private lastKeyframeRequest = 0;
  private keyframeTimer: NodeJS.Timeout | undefined;
  /** Asked for before the first packet told the publisher's SSRC. */
  private keyframeWanted = false;

  constructor(options: {
    publisherId: string;
    kind: MediaKind;
    track: MediaStreamTrack;
    receiver: RTCRtpReceiver;
    counters: ForwardCounters;
  }) {
    this.publisherId = options.publisherId;
    this.kind = options.kind;
    this.track = options.track;
    this.receiver = options.receiver;
    this.counters = options.counters;
    this.firstPacket = new Promise((resolve) => (this.flowing = resolve));
    const { unSubscribe } = this.track.onReceiveRtp.subscribe((rtp) => this.forward(rtp));
    this.unsubscribe = unSubscribe;
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  subscribe(subscriberId: string, sender: RTCRtpSender): void {
    this.unsubscribeFrom(subscriberId);
    if (this.kind !== 'video') {
      this.subscribers.set(subscriberId, { sender, dispose: () => {} });
      return;
    }
    const pli = sender.onPictureLossIndication.subscribe(() => this.requestKeyframe());
    const fir = sender.onRtcp.subscribe((rtcp) => {
      // FIR (RFC 5104, payload-specific feedback FMT 4): werift's sender only raises PLI itself.
      if (rtcp.type === 206 && (rtcp as { feedback?: { count?: number } }).feedback?.count === 4) {
        this.requestKeyframe();
      }
    });
    this.subscribers.set(subscriberId, {
      sender,
      dispose: () => {
        pli.unSubscribe();
        fir.unSubscribe();
      },
    });
  }

  unsubscribeFrom(subscriberId: string): void {
    this.subscribers.get(subscriberId)?.dispose();
    this.subscribers.delete(subscriberId);
  }

  /** Asks the publisher for a keyframe now, or once the rate limit allows. */
  requestKeyframe(): void {
    if (this.kind !== 'video' || this.keyframeTimer) return;
    if (this.ssrc === undefined) {
      this.keyframeWanted = true;
      return;
    }
    const wait = this.lastKeyframeRequest + KEYFRAME_INTERVAL_MS - Date.now();
    if (wait > 0) {
      this.keyframeTimer = setTimeout(() => {
        this.keyframeTimer = undefined;
        this.requestKeyframe();
      }, wait);
      return;
    }
    this.lastKeyframeRequest = Date.now();
    this.receiver.sendRtcpPLI(this.ssrc).catch(() => {
      // The publisher's transport is closing; its removal follows.
    });
  }

  close(): void {
    this.unsubscribe();
    clearTimeout(this.keyframeTimer);
    this.keyframeTimer = undefined;
    for (const { dispose } of this.subscribers.values()) dispose();
    this.subscribers.clear();
  }

  private forward(rtp: RtpPacket): void {
    if (this.ssrc === undefined) {
      this.ssrc = rtp.header.ssrc;
      this.flowing?.();
      if (this.keyframeWanted) this.requestKeyframe();
    }
    if (this.kind === 'video') this.videoSize = vp8KeyframeSize(rtp.payload) ?? this.videoSize;
    for (const { sender } of this.subscribers.values()) {
      // A subscriber still negotiating or connecting cannot take the packet: it is counted, not queued
      // (late video is useless; the keyframe requested once it connects starts its picture).
      if (sender.stopped || !sender.codec || sender.dtlsTransport?.state !== 'connected') {
        this.counters.dropped++;
        continue;
      }
      this.counters.forwarded++;
      sender.sendRtp(rtp).catch(() => {
        this.counters.dropped++;
      });
    }
  }
}
