import * as assert from 'uvu/assert';
import { contractSuite } from '../support/contract.ts';
import { holderKey, processOf, type Leases } from '../../server/ports/lease.ts';
import { uniqueName } from '../support/services.ts';

export interface MadeLeases {
  readonly adapter: Leases;
  /**
   * Another adapter on the same storage and key prefix: a second node. Absent for an adapter whose
   * instances share nothing (memory), where every check is made on the one instance.
   */
  readonly peer?: Leases;
  /** A new adapter under the same key prefix as `adapter`, or under another one; cleanup closes it. */
  open(prefix: 'same' | 'other'): Promise<Leases>;
  cleanup(): Promise<void>;
}

/** Keys and process ids unique to one test, so tests never see each other's leases. */
const fresh = (name: string) => uniqueName(name);

/** The behaviour every Leases adapter must share; registers one uvu suite and runs it. */
export function leaseContract(label: string, make: () => Promise<MadeLeases>) {
  const { s, made } = contractSuite(`${label}: Leases contract`, make);

  s('health answers', async (ctx) => {
    await made(ctx).adapter.health();
    await made(ctx).peer?.health();
  });

  s('holderKey and processOf round-trip the process id', () => {
    assert.is(holderKey('proc-1', 'n1'), 'proc-1/n1');
    assert.is(processOf(holderKey('proc-1', 'n1')), 'proc-1');
    assert.is(processOf('alone'), 'alone');
  });

  s('a free lease is claimed', async (ctx) => {
    const { adapter, peer } = made(ctx);
    const key = fresh('free');
    assert.is(await adapter.holder(key), undefined);
    assert.equal(await adapter.claim(key, 'p1/a'), { acquired: true });
    assert.is(await adapter.holder(key), 'p1/a');
    if (peer) assert.is(await peer.holder(key), 'p1/a', 'the other node sees the holder');
  });

  s('a second holder is refused and told the current holder', async (ctx) => {
    const { adapter, peer } = made(ctx);
    const key = fresh('taken');
    await adapter.claim(key, 'p1/a');
    assert.equal(await adapter.claim(key, 'p2/b'), { acquired: false, holder: 'p1/a' });
    assert.equal(await adapter.claim(key, 'p1/other-nonce'), { acquired: false, holder: 'p1/a' });
    if (peer) assert.equal(await peer.claim(key, 'p2/b'), { acquired: false, holder: 'p1/a' });
    assert.is(await adapter.holder(key), 'p1/a');
  });

  s('the same holder claims again (a renewal)', async (ctx) => {
    const { adapter } = made(ctx);
    const key = fresh('renew');
    assert.equal(await adapter.claim(key, 'p1/a'), { acquired: true });
    assert.equal(await adapter.claim(key, 'p1/a'), { acquired: true });
    assert.equal(await adapter.claim(key, 'p1/a', 'p9/ignored'), { acquired: true });
    assert.is(await adapter.holder(key), 'p1/a');
  });

  s('a takeover succeeds only with the current holder as expected', async (ctx) => {
    const { adapter, peer } = made(ctx);
    const other = peer ?? adapter;
    const key = fresh('takeover');
    await adapter.claim(key, 'p1/a');
    assert.equal(await other.claim(key, 'p2/b', 'p9/stale'), { acquired: false, holder: 'p1/a' });
    assert.equal(await other.claim(key, 'p2/b', 'p1/a'), { acquired: true });
    assert.is(await adapter.holder(key), 'p2/b');
    assert.equal(
      await adapter.claim(key, 'p1/a'),
      { acquired: false, holder: 'p2/b' },
      'the old holder lost it',
    );
    const free = fresh('takeover-free');
    assert.equal(await other.claim(free, 'p2/b', 'p1/a'), { acquired: true }, 'expected on a free lease');
  });

  s('only the holder releases; a released lease is free again', async (ctx) => {
    const { adapter, peer } = made(ctx);
    const other = peer ?? adapter;
    const key = fresh('release');
    await adapter.claim(key, 'p1/a');
    await other.release(key, 'p2/b');
    await adapter.release(key, 'p1/other-nonce');
    assert.is(await adapter.holder(key), 'p1/a', 'a release by another holder is ignored');
    await adapter.release(key, 'p1/a');
    assert.is(await adapter.holder(key), undefined);
    await adapter.release(key, 'p1/a');
    assert.equal(await other.claim(key, 'p2/b'), { acquired: true });
  });

  s('20 concurrent claims by different holders: exactly one is acquired', async (ctx) => {
    const { adapter, peer } = made(ctx);
    const key = fresh('race');
    const holders = Array.from({ length: 20 }, (_, i) => `p${i}/n${i}`);
    const results = await Promise.all(
      holders.map((h, i) => (peer && i % 2 === 1 ? peer : adapter).claim(key, h)),
    );
    const winners = holders.filter((_, i) => results[i]?.acquired);
    assert.is(winners.length, 1, `winners: ${winners.join(', ')}`);
    const winner = winners[0];
    assert.is(await adapter.holder(key), winner);
    for (const r of results) if (!r.acquired) assert.is(r.holder, winner, 'every loser is told the winner');
  });

  s('a process is alive once announced, not before', async (ctx) => {
    const { adapter, peer } = made(ctx);
    const processId = fresh('proc');
    assert.is(await adapter.processAlive(processId), false);
    if (peer) assert.is(await peer.processAlive(processId), false);
    await adapter.announce(processId);
    await adapter.announce(processId);
    assert.is(await adapter.processAlive(processId), true);
    if (peer) assert.is(await peer.processAlive(processId), true, 'the other node sees the announce');
    assert.is(await adapter.processAlive(fresh('proc')), false, 'another id stays dead');
  });

  s('a process is dead once the adapter that announced it is closed', async (ctx) => {
    const { adapter, peer, open } = made(ctx);
    const announcer = await open('same');
    // With shared storage another instance observes; otherwise the only instance is its own observer.
    const observer = peer ? adapter : announcer;
    const processId = fresh('closing');
    await announcer.announce(processId);
    assert.is(await observer.processAlive(processId), true);
    await announcer.close();
    assert.is(await observer.processAlive(processId), false);
  });

  s('adapters under different key prefixes share neither leases nor announces', async (ctx) => {
    const { adapter, open } = made(ctx);
    const other = await open('other');
    const key = fresh('prefixed');
    assert.equal(await adapter.claim(key, 'p1/a'), { acquired: true });
    assert.equal(await other.claim(key, 'p2/b'), { acquired: true });
    assert.is(await adapter.holder(key), 'p1/a');
    assert.is(await other.holder(key), 'p2/b');
    await other.release(key, 'p2/b');
    assert.is(await adapter.holder(key), 'p1/a');
    const processId = fresh('prefixed-proc');
    await adapter.announce(processId);
    assert.is(await other.processAlive(processId), false);
  });

  s.run();
}
