import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig, type Env } from '../../config/index.ts';
import { createCassandraStore } from '../../server/adapters/store-cassandra/index.ts';
import { EmbeddedQueue } from '../../server/adapters/queue-embedded/index.ts';
import { createKafkaQueue } from '../../server/adapters/queue-kafka/index.ts';
import { SqliteStore } from '../../server/adapters/store-sqlite/index.ts';
import { silentLogger } from '../../server/lib/log.ts';
import type { DojoModule } from '../../server/modules.ts';
import { SCHEDULER_MIGRATIONS } from '../../server/modules/scheduler/schema.ts';
import type { DeliveredMessage, Queue } from '../../server/ports/queue.ts';
import type { Store } from '../../server/ports/store.ts';
import { deleteKafkaTopics, dropKeyspace, type ServiceEnv, uniqueName } from '../support/services.ts';

/** The topic the test tasks are published to, consumed by the recorder. */
export const RUNS_TOPIC = 'schedtest.runs';

/**
 * The schedulers' clock in a test file: real time plus an offset that only grows, so the store's cursor
 * (moved by the schedulers' clock) never gets ahead of the tasks a later test schedules.
 */
export class TestClock {
  offsetMs = 0;
  readonly now = (): number => Date.now() + this.offsetMs;
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export interface Delivery {
  readonly key: string;
  readonly value: unknown;
  readonly headers: Readonly<Record<string, string>>;
  /** Where the queue holds the message: one scheduler publish is one position. */
  readonly position: string;
  /** The schedulers' clock at delivery. */
  readonly at: number;
}

export const recordInto =
  (sink: Delivery[], clock: TestClock) =>
  async (m: DeliveredMessage): Promise<void> => {
    sink.push({
      key: m.key,
      value: m.value,
      headers: m.headers,
      position: `${m.partition}:${m.offset}`,
      at: clock.now(),
    });
  };

/** A test-only module consuming RUNS_TOPIC into `sink` (the test's own array). */
export const recorderModule = (sink: Delivery[], clock: TestClock): DojoModule => ({
  name: 'schedtest',
  topics: [RUNS_TOPIC],
  init: () => ({
    workers: [{ topic: RUNS_TOPIC, group: 'schedtest-recorder', handler: recordInto(sink, clock) }],
  }),
});

export const deliveriesOf = (sink: readonly Delivery[], key: string) => sink.filter((d) => d.key === key);
/** How many times the scheduler handed `key` to the queue (redeliveries of one message count once). */
export const publishesOf = (sink: readonly Delivery[], key: string) =>
  new Set(deliveriesOf(sink, key).map((d) => d.position)).size;

export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** Store and queue connections for scheduler instances a test builds itself (several "nodes"). */
export interface Connections {
  newStore(): Promise<Store>;
  readonly queue: Queue;
  close(): Promise<void>;
}

/** Where a scheduler suite runs: the embedded defaults, or real Cassandra + Kafka under names of this run. */
export interface Backend {
  readonly label: string;
  readonly real: boolean;
  /** For in-process systems (loadConfig reads nothing else). */
  readonly env: Env;
  /** Over process.env for spawned processes: the real variables the embedded backend must not see. */
  readonly spawnEnv: Env;
  readonly clock: TestClock;
  /** Fresh store and queue connections (embedded: in a new data dir each call). */
  connect(): Promise<Connections>;
  cleanup(): Promise<void>;
}

const NO_SERVICES: Env = {
  CASSANDRA_CONTACT_POINTS: undefined,
  KAFKA_BROKERS: undefined,
  REDIS_URL: undefined,
  S3_ENDPOINT: undefined,
  SMTP_URL: undefined,
};

export function embeddedBackend(): Backend {
  const dirs: string[] = [];
  return {
    label: 'embedded',
    real: false,
    env: {},
    spawnEnv: NO_SERVICES,
    clock: new TestClock(),
    connect: async () => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'dojo-sched-'));
      dirs.push(dataDir);
      const queue = new EmbeddedQueue({ dataDir, logger: silentLogger() });
      const stores: Store[] = [];
      return {
        queue,
        newStore: async () => {
          const store = new SqliteStore({ dataDir, logger: silentLogger() });
          await store.migrate(SCHEDULER_MIGRATIONS);
          stores.push(store);
          return store;
        },
        close: async () => {
          await Promise.allSettled([queue.close(), ...stores.map((s) => s.close())]);
        },
      };
    },
    cleanup: async () => {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Real Cassandra and Kafka under a keyspace and topic prefix of this run only, removed afterwards. */
export function realBackend(base: ServiceEnv): Backend {
  const keyspace = uniqueName('sched_test');
  const topicPrefix = `dojo.${uniqueName('sched')}.`;
  const env: Env = {
    ...base,
    ...NO_SERVICES,
    CASSANDRA_CONTACT_POINTS: base.CASSANDRA_CONTACT_POINTS,
    KAFKA_BROKERS: base.KAFKA_BROKERS,
    CASSANDRA_KEYSPACE: keyspace,
    KAFKA_TOPIC_PREFIX: topicPrefix,
  };
  const config = loadConfig(env);
  const cassandra = config.cassandra;
  const kafka = config.kafka;
  if (!cassandra || !kafka) throw new Error('the real backend needs Cassandra and Kafka');
  return {
    label: 'cassandra + kafka',
    real: true,
    env,
    spawnEnv: env,
    clock: new TestClock(),
    connect: async () => {
      const logger = silentLogger();
      const queue = await createKafkaQueue({ ...kafka, logger });
      const stores: Store[] = [];
      return {
        queue,
        newStore: async () => {
          const store = await createCassandraStore({ ...cassandra, logger });
          stores.push(store);
          await store.migrate(SCHEDULER_MIGRATIONS);
          return store;
        },
        close: async () => {
          await Promise.allSettled([queue.close(), ...stores.map((s) => s.close())]);
        },
      };
    },
    cleanup: async () => {
      await dropKeyspace(cassandra, keyspace);
      await deleteKafkaTopics(kafka.brokers, topicPrefix);
    },
  };
}
