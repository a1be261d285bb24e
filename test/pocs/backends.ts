import { Redis } from 'ioredis';
import { loadConfig, type Env } from '../../config/index.ts';
import { dropKeyspace, type ServiceEnv, uniqueName } from '../support/services.ts';

/** Where a POC suite runs: the embedded defaults, or real Cassandra + Redis under names of this run. */
export interface Backend {
  readonly label: string;
  readonly env: Env;
  cleanup(): Promise<void>;
}

export const embeddedBackend = (): Backend => ({
  label: 'embedded',
  env: { CASSANDRA_CONTACT_POINTS: undefined, REDIS_URL: undefined },
  cleanup: async () => {},
});

/** Real Cassandra and Redis under a keyspace and key prefix of this run only, dropped afterwards. */
export function realBackend(base: ServiceEnv): Backend {
  const keyspace = uniqueName('pocs_test');
  const prefix = `${uniqueName('pocs')}:`;
  const config = loadConfig({ ...base, SMTP_URL: undefined });
  return {
    label: 'cassandra + redis',
    env: { ...base, CASSANDRA_KEYSPACE: keyspace, REDIS_KEY_PREFIX: prefix },
    cleanup: async () => {
      if (config.cassandra) {
        await dropKeyspace(config.cassandra, keyspace);
      }
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
