/**
 * The picture size of a VP8 keyframe from the first RTP packet of its frame (RFC 7741 payload descriptor,
 * then the RFC 6386 §9.1 frame header), or undefined for any other packet. Read so that a recording's
 * WebM header states the size the publisher really sends.
 */
export function vp8KeyframeSize(payload: Buffer): { width: number; height: number } | undefined {
  const first = payload[0];
  if (first === undefined) return undefined;
  const startOfPartition0 = (first & 0x10) !== 0 && (first & 0x07) === 0;
  if (!startOfPartition0) return undefined;
  let at = 1;
  if (first & 0x80) {
    const extensions = payload[at++] ?? 0;
    if (extensions & 0x80) at += (payload[at] ?? 0) & 0x80 ? 2 : 1; // PictureID, 7 or 15 bits
    if (extensions & 0x40) at += 1; // TL0PICIDX
    if (extensions & 0x30) at += 1; // TID/Y/KEYIDX
  }
  // Frame tag (3 bytes, bit 0 clear on a keyframe), start code 9d 01 2a, then 14-bit width and height.
  if (payload.length < at + 10 || ((payload[at] ?? 1) & 0x01) !== 0) return undefined;
  if (payload[at + 3] !== 0x9d || payload[at + 4] !== 0x01 || payload[at + 5] !== 0x2a) return undefined;
  return { width: payload.readUInt16LE(at + 6) & 0x3fff, height: payload.readUInt16LE(at + 8) & 0x3fff };
}
