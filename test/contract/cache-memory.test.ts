import { MemoryCache } from '../../server/adapters/cache-memory/index.ts';
import { cacheContract } from './cache.contract.ts';

cacheContract('cache-memory', async () => {
  const adapter = new MemoryCache({ sweepIntervalMs: 200 });
  return { adapter, cleanup: () => adapter.close() };
});
