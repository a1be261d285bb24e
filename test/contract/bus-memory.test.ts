import { MemoryBus, MemoryBusHub } from '../../server/adapters/bus-memory/index.ts';
import { busContract } from './bus.contract.ts';

busContract('bus-memory', async () => {
  const hub = new MemoryBusHub();
  const adapter = new MemoryBus({ hub });
  const peer = new MemoryBus({ hub });
  return {
    adapter,
    peer,
    cleanup: async () => {
      await adapter.close();
      await peer.close();
    },
  };
});
