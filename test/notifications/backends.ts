import { Redis } from 'ioredis';
import { loadConfig, type Env } from '../../config/index.ts';
import { deleteKafkaTopics, dropKeyspace, type ServiceEnv, uniqueName } from '../support/services.ts';

/** Where a notifications suite runs: embedded, or real Cassandra + Kafka + Redis under names of this run. */
export interface Backend {
  readonly label: string;
  readonly env: Env;
  cleanup(): Promise<void>;
}

const EMBEDDED: Env = {
  CASSANDRA_CONTACT_POINTS: undefined,
  REDIS_URL: undefined,
  KAFKA_BROKERS: undefined,
  S3_ENDPOINT: undefined,
  SMTP_URL: undefined,
};

export const embeddedBackend = (): Backend => ({ label: 'embedded', env: EMBEDDED, cleanup: async () => {} });

/** Mail stays in the outbox (SMTP unset) so a test can read what was mailed. */
export function realBackend(base: ServiceEnv): Backend {
  const keyspace = uniqueName('notif_test');
  const prefix = `${uniqueName('notif')}:`;
  const topics = `${uniqueName('notif')}.`;
  const config = loadConfig({ ...base, SMTP_URL: undefined });
  return {
    label: 'cassandra + kafka + redis',
    env: {
      ...base,
      S3_ENDPOINT: undefined,
      SMTP_URL: undefined,
      CASSANDRA_KEYSPACE: keyspace,
      REDIS_KEY_PREFIX: prefix,
      KAFKA_TOPIC_PREFIX: topics,
    },
    cleanup: async () => {
      if (config.cassandra) await dropKeyspace(config.cassandra, keyspace);
      if (config.kafka) await deleteKafkaTopics(config.kafka.brokers, topics);
      if (config.redis) {
        const redis = new Redis(config.redis.url);
        try {
          const keys = await redis.keys(`${prefix}*`);
          if (keys.length) await redis.del(...keys);
        } finally {
          redis.disconnect();
        }
      }
    },
  };
}
