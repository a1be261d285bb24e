import { createWeriftSfu } from '../../server/adapters/sfu-werift/index.ts';
import { silentLogger } from '../../server/lib/log.ts';
import { sfuContract } from './sfu.contract.ts';

sfuContract('sfu-werift', async () => {
  // Loopback candidates only: the suite's media never leaves this machine.
  const adapter = createWeriftSfu({ hostAddresses: ['127.0.0.1'], logger: silentLogger() });
  return { adapter, cleanup: () => adapter.close() };
});
