import cassandra from 'cassandra-driver';
import { Kafka, logLevel } from 'kafkajs';
import { appendFileSync } from 'node:fs';
import { suite } from 'uvu';

/**
 * The real servers a contract suite can run against, found through the same variables the app reads.
 * Missing ones are skipped and reported by scripts/run-tests.ts; with REQUIRE_SERVICES=1 (as .ci/run sets)
 * a missing one fails the run instead.
 */
export type ServiceName = 'cassandra' | 'redis' | 'kafka' | 's3' | 'smtp' | 'postgres';

const VARIABLES: Record<ServiceName, readonly string[]> = {
  cassandra: ['CASSANDRA_CONTACT_POINTS'],
  redis: ['REDIS_URL'],
  kafka: ['KAFKA_BROKERS'],
  s3: ['S3_ENDPOINT'],
  smtp: ['SMTP_URL', 'SMTP_SINK_DIR'],
  postgres: ['POSTGRES_URL'],
};

export type ServiceEnv = Record<string, string | undefined>;

/** The environment for a real service, or undefined after recording the skip (or failing, when required). */
export function realService(service: ServiceName, suiteName: string): ServiceEnv | undefined {
  const missing = VARIABLES[service].filter((v) => !process.env[v]);
  if (missing.length === 0) return { ...process.env };
  const reason = `${suiteName}: skipped, ${missing.join(', ')} not set`;
  if (process.env.REQUIRE_SERVICES === '1') {
    const s = suite(`${suiteName} (required service ${service})`);
    s('service is configured', () => {
      throw new Error(`${reason}, but REQUIRE_SERVICES=1 demands the real ${service}`);
    });
    s.run();
    return undefined;
  }
  if (process.env.DOJO_TEST_SKIP_FILE) appendFileSync(process.env.DOJO_TEST_SKIP_FILE, reason + '\n');
  return undefined;
}

/** A name unique to this run, for keyspaces, topics, buckets and key prefixes. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

/** Drops a keyspace a test or benchmark created on the real Cassandra (DDL is slow on 2 cores: long timeout). */
export async function dropKeyspace(
  cassandraConfig: { readonly contactPoints: readonly string[]; readonly localDataCenter: string },
  keyspace: string,
): Promise<void> {
  const client = new cassandra.Client({
    contactPoints: [...cassandraConfig.contactPoints],
    localDataCenter: cassandraConfig.localDataCenter,
  });
  try {
    await client.execute(`DROP KEYSPACE IF EXISTS "${keyspace}"`, [], { readTimeout: 120_000 });
  } finally {
    await client.shutdown();
  }
}

/** Deletes the Kafka topics a test or benchmark created under its own prefix. */
export async function deleteKafkaTopics(brokers: readonly string[], prefix: string): Promise<void> {
  const admin = new Kafka({
    clientId: 'dojo-test-cleanup',
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}
