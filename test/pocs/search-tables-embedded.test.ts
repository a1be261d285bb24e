import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteStore } from '../../server/adapters/store-sqlite/index.ts';
import { silentLogger } from '../../server/lib/log.ts';
import { searchTablesSuite } from './search-tables.suite.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'dojo-pocs-tables-'));
searchTablesSuite({
  label: 'embedded',
  open: async () => new SqliteStore({ dataDir: dir, logger: silentLogger() }),
  crash: { env: { DATA_DIR: dir, CASSANDRA_CONTACT_POINTS: undefined, REDIS_URL: undefined } },
  runs: 25,
  cleanup: async () => rmSync(dir, { recursive: true, force: true }),
});
