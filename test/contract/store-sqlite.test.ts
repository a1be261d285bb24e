import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteStore } from '../../server/adapters/store-sqlite/index.ts';
import { storeContract } from './store.contract.ts';
import { migrationLog } from './store.fixtures.ts';

storeContract('store-sqlite', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dojo-store-'));
  const log = migrationLog();
  const open = () => new SqliteStore({ dataDir, logger: log.logger });
  const adapter = open();
  return {
    adapter,
    reopen: async () => open(),
    applied: log.applied,
    cleanup: async () => {
      await adapter.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
});
