import type { Config } from '../../config/index.ts';
import type { Logger } from '../lib/log.ts';
import type { Store } from '../ports/store.ts';
import { createCassandraStore } from './store-cassandra/index.ts';
import { SqliteStore } from './store-sqlite/index.ts';

/**
 * The system of record alone, as the server would open it: for maintenance commands that need nothing
 * else, and for threads that only read beside the server's own store (`readOnly`: the embedded file gets
 * a reading connection; a Cassandra client reads and writes alike).
 */
export async function createStore(options: {
  config: Config;
  logger: Logger;
  readOnly?: boolean;
}): Promise<Store> {
  const { config, logger } = options;
  return config.cassandra
    ? await createCassandraStore({ ...config.cassandra, logger })
    : new SqliteStore({ dataDir: config.dataDir, logger, readOnly: options.readOnly === true });
}
