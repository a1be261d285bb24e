import { Redis } from 'ioredis';
import pg from 'pg';
import { loadConfig, type Env } from '../../config/index.ts';
import { deleteKafkaTopics, dropKeyspace, type ServiceEnv, uniqueName } from './services.ts';

/** Where a suite runs: embedded, or real Cassandra + Kafka + Redis under names of this run. */
export interface Backend {
  readonly label: string;
  readonly env: Env;
  cleanup(): Promise<void>;
}

const EMBEDDED: Env = {
  CASSANDRA_CONTACT_POINTS: undefined,
  REDIS_URL: undefined,
  KAFKA_BROKERS: undefined,
  POSTGRES_URL: undefined,
  S3_ENDPOINT: undefined,
  SMTP_URL: undefined,
};

export const embeddedBackend = (): Backend => ({ label: 'embedded', env: EMBEDDED, cleanup: async () => {} });

/**
 * Mail stays in the outbox (SMTP unset) so a test can read what was mailed; blobs stay on disk unless the
 * suite asks for S3. With POSTGRES_URL set, the read model lives in a schema of this run, dropped after.
 */
export function realBackend(base: ServiceEnv, name: string, options: { s3?: boolean } = {}): Backend {
  const keyspace = uniqueName(`${name}_test`);
  const schema = uniqueName(`${name}_rm`);
  const prefix = `${uniqueName(name)}:`;
  const topics = `${uniqueName(name)}.`;
  const config = loadConfig({ ...base, SMTP_URL: undefined });
  return {
    label: `cassandra + kafka + redis${base.POSTGRES_URL ? ' + postgres' : ''}${options.s3 ? ' + s3' : ''}`,
    env: {
      ...base,
      ...(options.s3 ? {} : { S3_ENDPOINT: undefined }),
      POSTGRES_SCHEMA: schema,
      SMTP_URL: undefined,
      CASSANDRA_KEYSPACE: keyspace,
      REDIS_KEY_PREFIX: prefix,
      KAFKA_TOPIC_PREFIX: topics,
    },
    cleanup: async () => {
      if (config.cassandra) await dropKeyspace(config.cassandra, keyspace);
      if (config.postgres) await dropSchema(config.postgres.url, schema);
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

async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}
