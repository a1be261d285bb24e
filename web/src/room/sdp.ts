/**
 * What the media client needs to read from the server's offer: for each m-section, its mid, kind,
 * direction and the stream id of its `a=msid` (the publisher's userId, per the contract).
 */
export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export interface MediaSection {
  readonly mid: string;
  readonly kind: string;
  readonly direction: Direction;
  /** The first stream id of `a=msid:<stream> <track>`; '' when the section carries none. */
  readonly streamId: string;
}

const DIRECTIONS: readonly Direction[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];

export function mediaSections(sdp: string): MediaSection[] {
  const sections = sdp.split(/\r?\nm=/).slice(1);
  return sections.map((text) => {
    const lines = text.split(/\r?\n/);
    const kind = lines[0]?.split(' ')[0] ?? '';
    let mid = '';
    let streamId = '';
    let direction: Direction = 'sendrecv';
    // A port of 0 rejects (removes) the section, whatever its direction says.
    const rejected = lines[0]?.split(' ')[1] === '0';
    for (const line of lines) {
      if (line.startsWith('a=mid:')) mid = line.slice(6).trim();
      else if (line.startsWith('a=msid:') && !streamId) streamId = line.slice(7).split(' ')[0] ?? '';
      else if (DIRECTIONS.includes(line.slice(2) as Direction)) direction = line.slice(2) as Direction;
    }
    return {
      mid,
      kind,
      direction: rejected ? 'inactive' : direction,
      streamId: streamId === '-' ? '' : streamId,
    };
  });
}

/** Sections the server sends on (the participants' forwarded tracks). */
export const forwarded = (s: MediaSection) => s.direction === 'sendonly' || s.direction === 'sendrecv';
/** Sections the server receives on (where this client publishes its camera and microphone). */
export const publishing = (s: MediaSection) => s.direction === 'recvonly' || s.direction === 'sendrecv';
