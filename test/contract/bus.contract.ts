import { setTimeout as sleep } from 'node:timers/promises';
import * as assert from 'uvu/assert';
import { contractSuite } from '../support/contract.ts';
import type { Bus } from '../../server/ports/bus.ts';
import { isAppError } from '../../server/lib/errors.ts';

export interface MadeBus {
  readonly adapter: Bus;
  /** Another instance on the same bus: a second node. */
  readonly peer: Bus;
  cleanup(): Promise<void>;
}

/** Collects what a handler receives and waits for it. */
function inbox() {
  const messages: unknown[] = [];
  return {
    messages,
    handler: (message: unknown) => void messages.push(message),
    async until(count: number, ms = 3000) {
      const started = Date.now();
      while (messages.length < count) {
        if (Date.now() - started > ms)
          throw new Error(`got ${messages.length} of ${count} messages in ${ms} ms`);
        await sleep(10);
      }
    },
  };
}

/** The behaviour every Bus adapter must share; registers one uvu suite and runs it. */
export function busContract(label: string, make: () => Promise<MadeBus>) {
  const { s, made } = contractSuite(`${label}: Bus contract`, make);

  s('health answers on both nodes', async (ctx) => {
    await made(ctx).adapter.health();
    await made(ctx).peer.health();
  });

  s('two subscribers both receive, each its own copy', async (ctx) => {
    const { adapter } = made(ctx);
    const first = inbox();
    const second = inbox();
    const mutating = (m: unknown) => {
      (m as { nested: { n: number } }).nested.n = -1;
      first.handler(m);
    };
    const stops = [await adapter.subscribe('two', mutating), await adapter.subscribe('two', second.handler)];
    const message = { nested: { n: 1 }, list: ['a', 2, null], text: 'é✓' };
    await adapter.publish('two', message);
    await Promise.all([first.until(1), second.until(1)]);
    assert.equal(second.messages, [{ nested: { n: 1 }, list: ['a', 2, null], text: 'é✓' }]);
    assert.is(message.nested.n, 1, 'the publisher keeps its object');
    for (const stop of stops) await stop();
  });

  s('a message published on one node reaches subscribers on another node', async (ctx) => {
    const { adapter, peer } = made(ctx);
    const onPeer = inbox();
    const onAdapter = inbox();
    const stops = [
      await peer.subscribe('cross', onPeer.handler),
      await adapter.subscribe('cross', onAdapter.handler),
    ];
    await adapter.publish('cross', { from: 'adapter' });
    await peer.publish('cross', { from: 'peer' });
    await Promise.all([onPeer.until(2), onAdapter.until(2)]);
    assert.equal(onPeer.messages, [{ from: 'adapter' }, { from: 'peer' }]);
    assert.equal(onAdapter.messages, [{ from: 'adapter' }, { from: 'peer' }]);
    for (const stop of stops) await stop();
  });

  s('unsubscribe stops delivery to that handler only; channels are separate', async (ctx) => {
    const { adapter, peer } = made(ctx);
    const stays = inbox();
    const leaves = inbox();
    const peerLeaves = inbox();
    const otherChannel = inbox();
    const stopStays = await adapter.subscribe('unsub', stays.handler);
    const stopLeaves = await adapter.subscribe('unsub', leaves.handler);
    const stopPeer = await peer.subscribe('unsub', peerLeaves.handler);
    const stopOther = await adapter.subscribe('unsub-other', otherChannel.handler);
    await adapter.publish('unsub', 1);
    await Promise.all([stays.until(1), leaves.until(1), peerLeaves.until(1)]);

    await stopLeaves();
    await stopPeer();
    await stopLeaves();
    await adapter.publish('unsub', 2);
    await peer.publish('unsub', 3);
    await stays.until(3);
    await sleep(50);
    assert.equal(stays.messages, [1, 2, 3]);
    assert.equal(leaves.messages, [1], 'no delivery after unsubscribe');
    assert.equal(peerLeaves.messages, [1], 'no delivery after unsubscribe on the other node');
    assert.equal(otherChannel.messages, [], 'another channel hears nothing');
    await stopStays();
    await stopOther();
  });

  s('a throwing handler does not keep the message from the others', async (ctx) => {
    const { adapter } = made(ctx);
    const good = inbox();
    const stops = [
      await adapter.subscribe('throws', () => {
        throw new Error('handler bug');
      }),
      await adapter.subscribe('throws', good.handler),
    ];
    await adapter.publish('throws', 'still here');
    await good.until(1);
    assert.equal(good.messages, ['still here']);
    for (const stop of stops) await stop();
  });

  s('a message JSON cannot carry is refused as a programmer error', async (ctx) => {
    const { adapter } = made(ctx);
    for (const bad of [undefined, 10n, () => 1]) {
      const error = await adapter.publish('bad', bad).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(isAppError(error) && error.kind === 'INTERNAL', `publishing ${typeof bad}: ${String(error)}`);
    }
  });

  s.run();
}
