import { loadConfig } from '../../config/index.ts';
import { createCassandraStore } from '../../server/adapters/store-cassandra/index.ts';
import { silentLogger } from '../../server/lib/log.ts';
import { dropKeyspace, realService, uniqueName } from '../support/services.ts';
import { searchTablesSuite } from './search-tables.suite.ts';

const env = realService('cassandra', 'pocs search tables on real Cassandra');
const config = env ? loadConfig(env).cassandra : undefined;
if (env && config) {
  const keyspace = uniqueName('pocs_tables');
  searchTablesSuite({
    label: 'cassandra',
    open: () => createCassandraStore({ ...config, keyspace, replicationFactor: 1, logger: silentLogger() }),
    crash: { env: { ...env, CASSANDRA_KEYSPACE: keyspace, REDIS_URL: undefined } },
    runs: 8,
    cleanup: () => dropKeyspace(config, keyspace),
  });
}
