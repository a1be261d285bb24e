/**
 * A participant as a browser would be one, on werift: it answers the server's offers, publishes the clip
 * (paced in real time, looped, a keyframe sent early when the server asks with a PLI, as an encoder
 * does) and counts what it receives per publisher (the msid stream id) and kind.
 */
import {
  MediaStreamTrack,
  OpusPacketizer,
  RTCPeerConnection,
  Vp8Packetizer,
  Vp8RtpPayload,
  type RtpPacket,
  type RTCRtpSender,
} from 'werift';
import { peerConfig } from '../../server/adapters/sfu-werift/peer-config.ts';
import type { IceCandidate, MediaKind, MediaPeer, MediaRouter } from '../../server/ports/sfu.ts';
import { AUDIO_PACKET_MS, VIDEO_FPS, type Clip } from './sfu-clip.ts';
import type { WireLoss } from './sfu-wire-loss.ts';

export interface Received {
  packets: number;
  keyframes: number;
  firstKeyframeAt: number | undefined;
  firstPacketAt: number | undefined;
}

/** Send times by RTP sequence number, so a receiver in the same process can measure forwarding delay. */
export type SendLog = Record<MediaKind, Float64Array>;

export class ClipPlayer {
  private readonly clip: Clip;
  private readonly video = new Vp8Packetizer({ payloadType: 96, sequenceNumber: 0 });
  private readonly audio = new OpusPacketizer({ payloadType: 111, sequenceNumber: 0 });
  readonly tracks = {
    audio: new MediaStreamTrack({ kind: 'audio' }),
    video: new MediaStreamTrack({ kind: 'video' }),
  };
  readonly sent = { audio: 0, video: 0 };
  readonly sentAt: SendLog = { audio: new Float64Array(65536), video: new Float64Array(65536) };
  keyframeRequests = 0;
  private frame = 0;
  private cursor = 0;
  private audioPacket = 0;
  private started = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(clip: Clip) {
    this.clip = clip;
  }

  start(): void {
    this.started = performance.now();
    this.timer = setInterval(() => this.tick(), 10);
  }

  /** A PLI from the server: the next frame sent is the clip's next keyframe. */
  keyframeRequested(): void {
    this.keyframeRequests++;
    const frames = this.clip.video;
    for (let i = 0; i < frames.length; i++) {
      const at = (this.cursor + i) % frames.length;
      if (frames[at]?.keyframe) {
        this.cursor = at;
        return;
      }
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    const elapsed = performance.now() - this.started;
    while (this.frame * (1000 / VIDEO_FPS) <= elapsed) {
      const frame = this.clip.video[this.cursor % this.clip.video.length];
      this.cursor = (this.cursor + 1) % this.clip.video.length;
      if (frame) this.send('video', this.video.packetize(frame.data, this.frame * (90000 / VIDEO_FPS)));
      this.frame++;
    }
    while (this.audioPacket * AUDIO_PACKET_MS <= elapsed) {
      const packet = this.clip.audio[this.audioPacket % this.clip.audio.length];
      if (packet) this.send('audio', this.audio.packetize(packet, this.audioPacket * 48 * AUDIO_PACKET_MS));
      this.audioPacket++;
    }
  }

  private send(kind: MediaKind, packets: RtpPacket[]): void {
    const now = performance.now();
    for (const packet of packets) {
      this.sentAt[kind][packet.header.sequenceNumber] = now;
      this.sent[kind]++;
      this.tracks[kind].writeRtp(packet);
    }
  }
}

export class TestParticipant {
  readonly id: string;
  readonly pc: RTCPeerConnection;
  readonly offers: string[] = [];
  /** By publisher id (the msid stream id of the forwarded track), then kind. */
  readonly received = new Map<string, Record<MediaKind, Received>>();
  /** Called for every forwarded packet: publisher id, kind, packet, arrival time. */
  onPacket: ((publisherId: string, kind: MediaKind, rtp: RtpPacket, at: number) => void) | undefined;
  player: ClipPlayer | undefined;
  /** Packets this participant's network drops, if any. */
  readonly loss: WireLoss | undefined;
  peer: MediaPeer | undefined;
  private chain: Promise<void> = Promise.resolve();
  private readonly senders: RTCRtpSender[] = [];
  private answered = 0;
  private answerWaiters: (() => void)[] = [];

  constructor(id: string, options: { clip?: Clip; loss?: WireLoss } = {}) {
    this.id = id;
    this.pc = new RTCPeerConnection(peerConfig({ hostAddresses: ['127.0.0.1'] }));
    if (options.clip) this.player = new ClipPlayer(options.clip);
    this.loss = options.loss;
    this.pc.ontrack = ({ track, streams }) => {
      const publisherId = streams[0]?.id ?? '(none)';
      const kind = track.kind as MediaKind;
      const byKind = this.received.get(publisherId) ?? { audio: empty(), video: empty() };
      this.received.set(publisherId, byKind);
      track.onReceiveRtp.subscribe((rtp) => {
        const at = performance.now();
        const r = byKind[kind];
        r.packets++;
        r.firstPacketAt ??= Date.now();
        if (kind === 'video') {
          const vp8 = Vp8RtpPayload.deSerialize(rtp.payload);
          if (vp8.isKeyframe && vp8.sBit === 1) {
            r.keyframes++;
            r.firstKeyframeAt ??= Date.now();
          }
        }
        this.onPacket?.(publisherId, kind, rtp, at);
      });
    };
  }

  async join(router: Pick<MediaRouter, 'join'>): Promise<MediaPeer> {
    const pending: IceCandidate[] = [];
    this.pc.onIceCandidate.subscribe((candidate) => {
      const json = candidate?.toJSON();
      const c = {
        candidate: json?.candidate ?? null,
        sdpMid: json?.sdpMid ?? null,
        sdpMLineIndex: json?.sdpMLineIndex ?? null,
      };
      if (this.peer) void this.peer.addIceCandidate(c).catch(() => {});
      else pending.push(c);
    });
    this.peer = await router.join(this.id, {
      offer: (sdp) => {
        this.offers.push(sdp);
        this.chain = this.chain
          .then(() => this.answer(sdp))
          .catch((e: unknown) => console.error(this.id, 'answer failed', e));
      },
      ice: (candidate) => {
        void this.pc
          .addIceCandidate(
            candidate.candidate === null
              ? null
              : {
                  ...candidate,
                  candidate: candidate.candidate,
                  sdpMid: candidate.sdpMid ?? undefined,
                  sdpMLineIndex: candidate.sdpMLineIndex ?? undefined,
                },
          )
          .catch(() => {});
      },
    });
    for (const c of pending) await this.peer.addIceCandidate(c);
    return this.peer;
  }

  /** Resolves once `count` offers have been answered in all. */
  async answeredOffers(count: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.answered < count) {
      if (Date.now() > deadline) throw new Error(`${this.id}: ${this.answered} of ${count} offers answered`);
      await new Promise<void>((resolve) => {
        this.answerWaiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  async close(): Promise<void> {
    this.player?.stop();
    await this.pc.close().catch(() => {});
  }

  private async answer(sdp: string): Promise<void> {
    await this.pc.setRemoteDescription({ type: 'offer', sdp });
    this.loss?.attach(this.pc);
    const [audioIn, videoIn] = this.pc.getTransceivers();
    if (this.player && audioIn && videoIn && this.senders.length === 0) {
      for (const [transceiver, kind] of [
        [audioIn, 'audio'],
        [videoIn, 'video'],
      ] as const) {
        transceiver.setDirection('sendonly');
        await transceiver.sender.replaceTrack(this.player.tracks[kind]);
        this.senders.push(transceiver.sender);
      }
      videoIn.sender.onPictureLossIndication.subscribe(() => this.player?.keyframeRequested());
      // werift routes a PLI by its sender SSRC first, which on this m-line is also the server's own
      // (recvonly) SSRC: the packet reaches the receiver of the same transceiver instead of the sender.
      videoIn.receiver.onRtcp.subscribe((rtcp) => {
        const feedback = (rtcp as { feedback?: { count?: number; mediaSsrc?: number } }).feedback;
        if (rtcp.type === 206 && feedback?.count === 1 && feedback.mediaSsrc === videoIn.sender.ssrc) {
          this.player?.keyframeRequested();
        }
      });
      this.player.start();
    }
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    await this.peer?.answer(this.pc.localDescription?.sdp ?? '');
    this.answered++;
    for (const w of this.answerWaiters.splice(0)) w();
  }
}

function empty(): Received {
  return { packets: 0, keyframes: 0, firstKeyframeAt: undefined, firstPacketAt: undefined };
}

/** The msid stream ids of the sendonly m-lines of an SDP offer, by kind. */
export function forwardedStreams(sdp: string): { kind: string; streamId: string }[] {
  const result: { kind: string; streamId: string }[] = [];
  for (const section of sdp.split(/\r?\nm=/).slice(1)) {
    const kind = section.split(' ')[0] ?? '';
    const port = section.split(' ')[1];
    if (port === '0' || !/a=sendonly/.test(section)) continue;
    const msid = /a=msid:(\S+)/.exec(section)?.[1];
    result.push({ kind, streamId: msid ?? '(none)' });
  }
  return result;
}
