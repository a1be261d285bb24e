/**
 * A lossy network under one werift participant, deterministic: chosen VP8 packets (by RTP sequence
 * number) are dropped once, on their first transmission out or their first arrival in, below SRTP, as a
 * network would drop them. Retransmissions travel as RTX (their own payload type and SSRC) and pass, so a
 * dropped packet that reaches the other side anyway was recovered by NACK and RTX.
 */
import type { RTCPeerConnection, RTCDtlsTransport } from 'werift';

/** The payload types `peerConfig` negotiates: VP8 and its RTX. */
const VP8 = 96;
const RTX = 97;

export class WireLoss {
  /** Sequence numbers this side dropped, going out and coming in. */
  readonly droppedOut = new Set<number>();
  readonly droppedIn = new Set<number>();
  /** RTX packets that arrived (the other side answering NACKs). */
  rtxIn = 0;
  private readonly out: (seq: number) => boolean;
  private readonly in: (seq: number) => boolean;
  private attached: RTCDtlsTransport | undefined;

  constructor(options: { out?: (seq: number) => boolean; in?: (seq: number) => boolean }) {
    this.out = options.out ?? (() => false);
    this.in = options.in ?? (() => false);
  }

  /** Puts the loss under the connection's (bundled) transport; again for the same transport does nothing. */
  attach(pc: RTCPeerConnection): void {
    const dtls = pc.getTransceivers()[0]?.sender.dtlsTransport;
    if (!dtls || dtls === this.attached) return;
    this.attached = dtls;
    const sendRtp = dtls.sendRtp.bind(dtls);
    dtls.sendRtp = async (payload, header) => {
      const seq = header.sequenceNumber;
      if (header.payloadType === VP8 && this.out(seq) && !this.droppedOut.has(seq)) {
        this.droppedOut.add(seq);
        return payload.length;
      }
      return sendRtp(payload, header);
    };
    const incoming = dtls.iceTransport.connection.onData;
    const deliver = incoming.execute;
    incoming.execute = (data: Buffer) => {
      // RTP (not RTCP: its second byte is 192–223): the header before the encrypted payload is in clear.
      if (data.length > 12 && data[0]! >> 6 === 2 && (data[1]! < 192 || data[1]! > 223)) {
        const payloadType = data[1]! & 0x7f;
        const seq = data.readUInt16BE(2);
        if (payloadType === RTX) this.rtxIn++;
        if (payloadType === VP8 && this.in(seq) && !this.droppedIn.has(seq)) {
          this.droppedIn.add(seq);
          return;
        }
      }
      deliver(data);
    };
  }
}
