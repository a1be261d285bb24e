import { loadConfig } from '../../config/index.ts';
import { createKafkaQueue } from '../../server/adapters/queue-kafka/index.ts';
import { silentLogger } from '../../server/lib/log.ts';
import { deleteKafkaTopics, realService, uniqueName } from '../support/services.ts';
import { queueContract } from './queue.contract.ts';

const env = realService('kafka', 'queue contract: kafka');
if (env) {
  const kafka = loadConfig(env).kafka;
  if (!kafka) throw new Error('KAFKA_BROKERS did not produce a kafka config');
  // Fast group membership: the crash test waits one session timeout (the broker's minimum, 6 s) for the
  // killed member to be dropped; heartbeats every 500 ms make survivors notice rebalances quickly, and
  // short idle fetches keep each consumer's close() (which waits for the fetch in flight) short.
  const timings = {
    sessionTimeout: 6000,
    rebalanceTimeout: 6000,
    heartbeatInterval: 500,
    maxWaitTimeInMs: 500,
  };

  const deleteTopics = (prefix: string) => deleteKafkaTopics(kafka.brokers, prefix);

  queueContract('queue-kafka', async () => {
    const topicPrefix = `${kafka.topicPrefix}${uniqueName('test')}.`;
    const options = { brokers: kafka.brokers, clientId: kafka.clientId, topicPrefix };
    const adapter = await createKafkaQueue({ ...options, logger: silentLogger(), consumer: timings });
    return {
      adapter,
      fixture: {
        kind: 'kafka',
        ...options,
        sessionTimeout: timings.sessionTimeout,
        heartbeatInterval: timings.heartbeatInterval,
      },
      cleanup: async () => {
        await adapter.close();
        await deleteTopics(topicPrefix);
      },
    };
  });
}
