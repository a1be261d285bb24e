/** The system the POC benchmarks run: its configuration (embedded, or `--real` under names of this run) and its cleanup. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { loadConfig, type Config, type Env } from '../config/index.ts';
import { deleteKafkaTopics, dropKeyspace } from '../test/support/services.ts';

export interface BenchSystemConfig {
  readonly config: Config;
  readonly dataDir: string;
  /** Unique to this run (keyspace, key prefix, user names). */
  readonly run: string;
}

/**
 * A production-mode api node on a fresh data dir; with `real`, Cassandra and Redis (and Kafka, with `kafka`:
 * the queue a deployment's events topics live on) under names of this run.
 */
export function benchPocsConfig(
  real: boolean,
  name: string,
  options: { kafka?: boolean; searchThreads?: number } = {},
): BenchSystemConfig {
  const dataDir = mkdtempSync(path.join(tmpdir(), `dojo-bench-${name}-`));
  const run = randomBytes(4).toString('hex');
  const env: Env = real
    ? {
        CASSANDRA_CONTACT_POINTS: process.env.CASSANDRA_CONTACT_POINTS ?? '127.0.0.1:9042',
        CASSANDRA_LOCAL_DC: process.env.CASSANDRA_LOCAL_DC ?? 'datacenter1',
        CASSANDRA_KEYSPACE: `bench_${name}_${run}`,
        REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        REDIS_KEY_PREFIX: `bench_${name}_${run}:`,
        ...(options.kafka
          ? {
              KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
              KAFKA_TOPIC_PREFIX: `bench_${name}_${run}.`,
            }
          : {}),
      }
    : {};
  const config = loadConfig({
    ...env,
    NODE_ENV: 'production',
    ROLES: 'api',
    ...(options.searchThreads === undefined ? {} : { POC_SEARCH_THREADS: String(options.searchThreads) }),
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
  });
  return { config, dataDir, run };
}

/** Removes what the run left: its data dir, its keyspace, its Redis keys, its Kafka topics. */
export async function cleanupBench({ config, dataDir }: BenchSystemConfig): Promise<void> {
  rmSync(dataDir, { recursive: true, force: true });
  if (config.cassandra) await dropKeyspace(config.cassandra, config.cassandra.keyspace);
  if (config.redis) {
    const redis = new Redis(config.redis.url);
    const keys = await redis.keys(`${config.redis.keyPrefix}*`);
    for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
    redis.disconnect();
  }
  if (config.kafka) await deleteKafkaTopics(config.kafka.brokers, config.kafka.topicPrefix);
}
