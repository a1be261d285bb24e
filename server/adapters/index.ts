import path from 'node:path';
import type { Config } from '../../config/index.ts';
import type { ReadinessCheck } from '../http/ops.ts';
import type { PlainRoute } from '../http/types.ts';
import type { Logger } from '../lib/log.ts';
import { loadOrCreateSecret } from '../lib/secrets.ts';
import type { Analytics } from '../ports/analytics.ts';
import type { Blobs } from '../ports/blobs.ts';
import type { Bus } from '../ports/bus.ts';
import type { Cache } from '../ports/cache.ts';
import type { Leases } from '../ports/lease.ts';
import type { Mailer } from '../ports/mail.ts';
import type { PaymentGateway } from '../ports/payments.ts';
import type { Queue } from '../ports/queue.ts';
import type { RoomsBackplane } from '../ports/rooms.ts';
import type { Sfu } from '../ports/sfu.ts';
import type { Migration, Store } from '../ports/store.ts';
import { createPgliteAnalytics } from './analytics-pglite/index.ts';
import { createPostgresAnalytics } from './analytics-postgres/index.ts';
import { FsBlobs } from './blobs-fs/index.ts';
import { createS3Blobs } from './blobs-s3/index.ts';
import { MemoryBus } from './bus-memory/index.ts';
import { createRedisBus } from './bus-redis/index.ts';
import { MemoryCache } from './cache-memory/index.ts';
import { RedisCache } from './cache-redis/index.ts';
import { ResilientCache } from './cache-resilient/index.ts';
import { MemoryLeases } from './lease-memory/index.ts';
import { createRedisLeases } from './lease-redis/index.ts';
import { OutboxMailer } from './mail-outbox/index.ts';
import { SmtpMailer } from './mail-smtp/index.ts';
import { SANDBOX_MIGRATIONS, SandboxGateway } from './payments-sandbox/index.ts';
import { StripeGateway } from './payments-stripe/index.ts';
import { EmbeddedQueue } from './queue-embedded/index.ts';
import { createRedisPushAdapter, type RedisPushAdapter } from './push-redis/index.ts';
import { createKafkaQueue } from './queue-kafka/index.ts';
import { LocalRoomsBackplane } from './rooms-local/index.ts';
import { RedisRoomsBackplane } from './rooms-redis/index.ts';
import { createWeriftSfu } from './sfu-werift/index.ts';
import { signedFileRoute } from './signed-files.ts';

import { createStore } from './store.ts';

export { createStore };

export interface Adapters {
  readonly store: Store;
  /** SQL for the reporting read model and the reports table: PostgreSQL, or PGlite under dataDir. */
  readonly analytics: Analytics;
  readonly cache: Cache;
  readonly bus: Bus;
  readonly queue: Queue;
  readonly blobs: Blobs;
  readonly mailer: Mailer;
  /** The push module's cross-node backplane (socket.io's Redis Streams adapter); with Redis only. */
  readonly push: RedisPushAdapter | undefined;
  /** Colyseus's shared matchmaker state, on nodes with the rooms role. */
  readonly rooms: RoomsBackplane | undefined;
  readonly leases: Leases;
  /** The dojo rooms' media (WebRTC SFU); it opens UDP sockets only for the peers of live rooms. */
  readonly sfu: Sfu;
  /** Payment gateways by the name clients give (`sandbox` always; `stripe` when configured). */
  readonly payments: ReadonlyMap<string, PaymentGateway>;
  /** Tables adapters keep in the store themselves (the sandbox gateway's ledger), migrated with the modules'. */
  readonly migrations: readonly Migration[];
  /** One readiness check per adapter in use. */
  readonly checks: readonly ReadinessCheck[];
  /** Routes an embedded adapter needs the HTTP server to expose (signed file downloads). */
  readonly httpRoutes: readonly PlainRoute[];
  /** Which adapter serves each port, for the boot log. */
  describe(): Record<string, string>;
  close(): Promise<void>;
}

type Closeable = { close(): Promise<void> };

/**
 * The one place where each port gets its adapter: the real one when its variables are set, the embedded
 * default otherwise. Adapters already opened are closed again if a later one fails to start.
 */
export async function createAdapters(options: { config: Config; logger: Logger }): Promise<Adapters> {
  const { config, logger } = options;
  const opened: Closeable[] = [];
  const track = <T extends Closeable>(adapter: T): T => {
    opened.push(adapter);
    return adapter;
  };
  const log = (port: string) => logger.child({ port });
  try {
    const store = track(await createStore({ config, logger: log('store') }));
    const analytics = track(
      config.postgres
        ? await createPostgresAnalytics({
            url: config.postgres.url,
            logger: log('analytics'),
            ...(config.postgres.schema ? { schema: config.postgres.schema } : {}),
          })
        : await createPgliteAnalytics({ dataDir: config.dataDir, logger: log('analytics') }),
    );
    // Redis connects in the background: the cache must not stop a boot that the store can serve alone.
    const cache = track(
      config.redis
        ? new ResilientCache({
            primary: new RedisCache({ ...config.redis, logger: log('cache') }),
            logger: log('cache'),
          })
        : new MemoryCache({}),
    );
    const bus = track(
      config.redis ? await createRedisBus({ ...config.redis, logger: log('bus') }) : new MemoryBus(),
    );
    // Critical like the bus: a room cannot start without its lease, nor a dead node's room be taken over.
    const leases = track(
      config.redis ? await createRedisLeases({ ...config.redis, logger: log('leases') }) : new MemoryLeases(),
    );
    const queue = track(
      config.kafka
        ? await createKafkaQueue({ ...config.kafka, logger: log('queue') })
        : new EmbeddedQueue({ dataDir: config.dataDir, logger: log('queue') }),
    );
    let httpRoutes: Adapters['httpRoutes'] = [];
    let blobs: Blobs;
    if (config.s3) {
      blobs = track(await createS3Blobs({ ...config.s3, logger: log('blobs') }));
    } else {
      const fsBlobs = new FsBlobs({
        dir: path.join(config.dataDir, 'blobs'),
        publicUrl: config.publicUrl,
        secret: loadOrCreateSecret({
          configured: config.urlSigningSecret,
          dataDir: config.dataDir,
          name: 'url-signing',
        }),
        logger: log('blobs'),
      });
      blobs = track(fsBlobs);
      httpRoutes = [signedFileRoute(fsBlobs)];
    }
    const mailer = track(
      config.mail.smtpUrl
        ? new SmtpMailer({ url: config.mail.smtpUrl, from: config.mail.from, logger: log('mail') })
        : new OutboxMailer({
            dir: path.join(config.dataDir, 'outbox'),
            from: config.mail.from,
            logger: log('mail'),
          }),
    );
    // Every node: a workers-only node emits, an api node delivers.
    const push = config.redis
      ? track(await createRedisPushAdapter({ ...config.redis, logger: log('push') }))
      : undefined;
    // Only nodes that run rooms share Colyseus's matchmaker state.
    const rooms = config.roles.includes('rooms')
      ? track(
          config.redis
            ? new RedisRoomsBackplane({ url: config.redis.url, logger: log('rooms') })
            : new LocalRoomsBackplane(),
        )
      : undefined;
    const sfu = track(
      createWeriftSfu({
        announcedAddress: config.media.announcedAddress,
        portRange: config.media.portRange,
        iceServers: config.media.iceServers,
        logger: log('sfu'),
      }),
    );
    const payments = new Map<string, PaymentGateway>([['sandbox', track(new SandboxGateway({ store }))]]);
    if (config.payments.stripe) {
      const { secretKey, webhookSecret, apiUrl } = config.payments.stripe;
      const stripe = new StripeGateway({
        secretKey,
        webhookSecret,
        logger: log('payments'),
        ...(apiUrl ? { apiUrl } : {}),
      });
      payments.set('stripe', track(stripe));
    }
    const ports = {
      store,
      analytics,
      cache,
      bus,
      leases,
      queue,
      blobs,
      mailer,
      ...(rooms ? { rooms } : {}),
      ...(push ? { push } : {}),
    };
    return {
      ...ports,
      rooms,
      push,
      sfu,
      payments,
      migrations: SANDBOX_MIGRATIONS,
      // Without Redis the cache degrades to misses and requests are still served: it is reported, not required.
      checks: Object.entries(ports).map(([name, adapter]) => ({
        name,
        check: () => adapter.health(),
        critical: name !== 'cache',
      })),
      httpRoutes,
      describe: () => ({
        ...Object.fromEntries(Object.entries(ports).map(([name, a]) => [name, a.name])),
        payments: [...payments.keys()].join(','),
        sfu: sfu.name,
      }),
      close: async () => {
        await Promise.allSettled(opened.reverse().map((a) => a.close()));
      },
    };
  } catch (error) {
    await Promise.allSettled(opened.reverse().map((a) => a.close()));
    throw error;
  }
}
