import { randomUUID } from 'node:crypto';
import { initializeRoomCache } from '@colyseus/core';
import * as assert from 'uvu/assert';
import type { RoomsBackplane } from '../../server/ports/rooms.ts';
import { contractSuite } from '../support/contract.ts';

export interface RoomsFixture {
  /** Two nodes' backplanes: the same one for a single-process adapter. */
  readonly adapter: RoomsBackplane;
  readonly peer: RoomsBackplane;
  cleanup(): Promise<void>;
}

/** What Colyseus needs of its presence and driver, on each adapter: every node sees the same state. */
export function roomsContract(label: string, make: () => Promise<RoomsFixture>): void {
  const { s, made } = contractSuite<RoomsFixture>(`${label}: rooms backplane contract`, make);

  s('health passes', async (ctx) => {
    const { adapter } = made(ctx);
    await adapter.health();
  });

  s('presence: a publish reaches a subscriber on the other node', async (ctx) => {
    const { adapter, peer } = made(ctx);
    const topic = `contract:${randomUUID()}`;
    const got = new Promise<unknown>((resolve) => void peer.presence.subscribe(topic, resolve));
    await new Promise((r) => setTimeout(r, 50));
    await adapter.presence.publish(topic, { hello: 'node' });
    assert.equal(await got, { hello: 'node' });
    await peer.presence.unsubscribe(topic);
  });

  s('presence: keys and hashes written on one node are read on the other', async (ctx) => {
    const { adapter, peer } = made(ctx);
    const key = `contract:${randomUUID()}`;
    await adapter.presence.set(key, 'v');
    assert.is(await peer.presence.get(key), 'v');
    await adapter.presence.hset(`${key}:h`, 'field', '1');
    assert.is(await peer.presence.hget(`${key}:h`, 'field'), '1');
    await adapter.presence.del(key);
    await adapter.presence.del(`${key}:h`);
    assert.not.ok(await peer.presence.get(key), 'deleted');
  });

  s('driver: a listed room is found by the other node, and gone once removed', async (ctx) => {
    const { adapter, peer } = made(ctx);
    const room = initializeRoomCache({
      name: `contract_${randomUUID().slice(0, 8)}`,
      roomId: randomUUID(),
      processId: 'p1',
    });
    await adapter.driver.persist(room, true);
    assert.ok(await peer.driver.has(room.roomId));
    const found = await peer.driver.query({ name: room.name });
    assert.equal(
      found.map((r) => r.roomId),
      [room.roomId],
    );
    await adapter.driver.remove(room.roomId);
    assert.not.ok(await peer.driver.has(room.roomId));
  });

  s.run();
}
