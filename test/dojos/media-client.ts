/**
 * The dojo room's media signaling as a router a test participant can join: `media:join` goes to the room,
 * the room's `media:offer` / `media:ice` come back as the router's events, answers and candidates go out as
 * `media:answer` / `media:ice` — exactly what the web client does over the same room.
 */
import type { Room } from '@colyseus/sdk';
import { SERVER_MESSAGES, type MediaOffer } from '../../protocol/dojo.ts';
import type { IceCandidate, MediaPeer, MediaRouter, PeerEvents } from '../../server/ports/sfu.ts';

export function roomSignaling(room: Room): Pick<MediaRouter, 'join'> {
  return {
    join: async (participantId: string, events: PeerEvents): Promise<MediaPeer> => {
      room.onMessage(SERVER_MESSAGES.mediaOffer, (m: MediaOffer) => events.offer(m.sdp));
      room.onMessage(SERVER_MESSAGES.mediaIce, (c: IceCandidate) => events.ice(c));
      room.send('media:join', {});
      return {
        participantId,
        answer: async (sdp) => room.send('media:answer', { sdp }),
        addIceCandidate: async (c) => room.send('media:ice', c),
        close: async () => room.send('media:leave', {}),
      };
    },
  };
}
