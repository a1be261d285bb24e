import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SANDBOX_MIGRATIONS, SandboxGateway } from '../../server/adapters/payments-sandbox/index.ts';
import { SqliteStore } from '../../server/adapters/store-sqlite/index.ts';
import { silentLogger } from '../../server/lib/log.ts';
import { paymentsContract } from './payments.contract.ts';

paymentsContract('payments-sandbox', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dojo-payments-'));
  const store = new SqliteStore({ dataDir, logger: silentLogger() });
  await store.migrate(SANDBOX_MIGRATIONS);
  const gateway = new SandboxGateway({ store });
  return {
    gateway,
    countCharges: async () => (await gateway.charges()).length,
    cleanup: async () => {
      await gateway.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
});
