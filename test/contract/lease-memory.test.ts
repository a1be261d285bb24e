import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MemoryLeases } from '../../server/adapters/lease-memory/index.ts';
import { LEASE_TTL_SECONDS } from '../../server/ports/lease.ts';
import { leaseContract } from './lease.contract.ts';

// No peer: memory leases live in one process, so each instance stands alone (and so does each prefix).
leaseContract('lease-memory', async () => {
  const adapter = new MemoryLeases();
  const opened: MemoryLeases[] = [adapter];
  return {
    adapter,
    open: async () => {
      const leases = new MemoryLeases();
      opened.push(leases);
      return leases;
    },
    cleanup: async () => {
      await Promise.all(opened.map((l) => l.close()));
    },
  };
});

const s = suite('lease-memory: expiry and one process');

s('a lease not renewed for 24 h is free again, as the Redis key would expire', async () => {
  let now = 0;
  const leases = new MemoryLeases({ now: () => now });
  await leases.claim('k', 'p1/a');
  now = LEASE_TTL_SECONDS * 1000 - 1;
  assert.equal(await leases.claim('k', 'p1/a'), { acquired: true }, 'renewed just in time');
  now += LEASE_TTL_SECONDS * 1000;
  assert.is(await leases.holder('k'), undefined);
  assert.equal(await leases.claim('k', 'p2/b'), { acquired: true });
});

s('another instance is another process: it sees neither leases nor announces', async () => {
  const [first, second] = [new MemoryLeases(), new MemoryLeases()];
  await first.announce('p1');
  await first.claim('k', 'p1/a');
  assert.is(await second.processAlive('p1'), false);
  assert.is(await second.holder('k'), undefined);
});

s.run();
