import { RTCRtpCodecParameters, useFIR, useNACK, usePLI, useREMB, useSdesMid, type PeerConfig } from 'werift';
import type { IceServer } from '../../ports/sfu.ts';

/** How the server's peer connections reach clients; built once from the adapter's options. */
export interface NetworkOptions {
  /** A public IPv4/IPv6 address mapped 1:1 to this host (MEDIA_ANNOUNCED_ADDRESS), advertised besides the host's own. */
  readonly announcedAddress?: string | undefined;
  /** The UDP ports candidates bind to (MEDIA_PORT_MIN/MAX). */
  readonly portRange?: readonly [number, number] | undefined;
  /** STUN/TURN servers (ICE_SERVERS), used by the server's connections and handed to clients. */
  readonly iceServers?: readonly IceServer[] | undefined;
  /**
   * Only these local addresses are offered as host candidates (tests and benchmarks: ['127.0.0.1'], so no
   * packet leaves loopback). Default: every non-internal interface, as WebRTC does.
   */
  readonly hostAddresses?: readonly string[] | undefined;
}

/**
 * VP8 video (with RTX, NACK, PLI, FIR, REMB) and Opus audio. One video codec only on purpose: the SFU
 * forwards RTP as it arrives, so every receiver must decode what every publisher sends; offering H.264
 * too would let one browser pick a codec another cannot be sent.
 */
export function codecs(): NonNullable<PeerConfig['codecs']> {
  return {
    video: [
      new RTCRtpCodecParameters({
        mimeType: 'video/VP8',
        clockRate: 90000,
        payloadType: 96,
        rtcpFeedback: [useNACK(), usePLI(), useFIR(), useREMB()],
      }),
      // apt ties the retransmission payload type to VP8's: browsers drop an RTX codec without it.
      new RTCRtpCodecParameters({
        mimeType: 'video/rtx',
        clockRate: 90000,
        payloadType: 97,
        parameters: 'apt=96',
      }),
    ],
    audio: [
      new RTCRtpCodecParameters({
        mimeType: 'audio/opus',
        clockRate: 48000,
        channels: 2,
        payloadType: 111,
        parameters: 'minptime=10;useinbandfec=1',
      }),
    ],
  };
}

/** The werift configuration of every server-side peer connection. */
export function peerConfig(network: NetworkOptions): Partial<PeerConfig> {
  const restricted = network.hostAddresses !== undefined;
  const additional = [
    ...(network.hostAddresses ?? []),
    ...(network.announcedAddress ? [network.announcedAddress] : []),
  ];
  return {
    codecs: codecs(),
    // Only the mid (BUNDLE demultiplexing). abs-send-time fed nothing here (werift estimates no bandwidth
    // from it, and forwarding adapts no bitrate) and cost a parse and a rewrite on every packet.
    headerExtensions: { video: [useSdesMid()], audio: [useSdesMid()] },
    bundlePolicy: 'max-bundle',
    iceServers: (network.iceServers ?? []).map((s) => ({
      urls: typeof s.urls === 'string' ? s.urls : [...s.urls],
      ...(s.username !== undefined ? { username: s.username } : {}),
      ...(s.credential !== undefined ? { credential: s.credential } : {}),
    })),
    ...(network.portRange
      ? { icePortRange: [network.portRange[0], network.portRange[1]] as [number, number] }
      : {}),
    // werift binds each candidate's socket to every interface, so an extra host address is also how a
    // 1:1 NAT's public address is announced: packets sent there reach the same socket.
    ...(additional.length ? { iceAdditionalHostAddresses: additional } : {}),
    ...(restricted ? { iceUseIpv4: false, iceUseIpv6: false } : {}),
  };
}
