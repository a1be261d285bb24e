import { loadConfig } from '../../config/index.ts';
import { createCassandraStore } from '../../server/adapters/store-cassandra/index.ts';
import { dropKeyspace, realService, uniqueName } from '../support/services.ts';
import { storeContract } from './store.contract.ts';
import { migrationLog } from './store.fixtures.ts';

const env = realService('cassandra', 'store contract: cassandra');
if (env) {
  const config = loadConfig(env).cassandra;
  if (!config) throw new Error('CASSANDRA_CONTACT_POINTS did not produce a cassandra config');

  storeContract('store-cassandra', async () => {
    const log = migrationLog();
    const options = {
      ...config,
      keyspace: uniqueName('store_test'),
      replicationFactor: 1,
      logger: log.logger,
    };
    const adapter = await createCassandraStore(options);
    return {
      adapter,
      reopen: () => createCassandraStore(options),
      applied: log.applied,
      cleanup: async () => {
        await adapter.close();
        await dropKeyspace(config, options.keyspace);
      },
    };
  });
}
