import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config/index.ts';
import { createRoomHost, type RoomHost } from '../rooms/host.ts';
import { startWorkers } from '../workers/runner.ts';
import { createAdapters, type Adapters } from './adapters/index.ts';
import { createHttpApp } from './http/app.ts';
import type { AnyEndpoint } from './http/endpoint.ts';
import { Metrics } from './http/metrics.ts';
import { buildOpenApi } from './http/openapi.ts';
import { opsEndpoints } from './http/ops.ts';
import type { Logger } from './lib/log.ts';
import type { DojoModule, ModuleContext } from './modules.ts';

export interface RunningSystem {
  readonly url: string;
  readonly port: number;
  readonly adapters: Adapters;
  /** Stop accepting, drain in-flight work, close adapters. Idempotent. */
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly modules: readonly DojoModule[];
  readonly version: string;
}

function listen(server: HttpServer, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeHttp(server: HttpServer, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.closeAllConnections();
      resolve();
    }, timeoutMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/** Wires the adapters once, starts the configured roles on one HTTP server, and returns how to stop them. */
export async function startSystem(options: StartOptions): Promise<RunningSystem> {
  const { config, logger, modules } = options;
  const roles = new Set(config.roles);
  const adapters = await createAdapters({ config, logger });
  let shuttingDown = false;
  try {
    await adapters.store.migrate(modules.flatMap((m) => m.migrations ?? []));
    const topics = modules.flatMap((m) => m.topics ?? []);
    if (topics.length) await adapters.queue.ensureTopics(topics);

    const metrics = new Metrics();
    const ctx: ModuleContext = { config, logger, metrics, adapters, services: {} };
    for (const m of modules) await m.init?.(ctx);
    const domainEndpoints = roles.has('api') ? modules.flatMap((m) => m.endpoints?.(ctx) ?? []) : [];
    const endpoints: AnyEndpoint[] = [];
    const openapi = buildOpenApiOnce(() =>
      buildOpenApi(endpoints, {
        title: 'Dojo API',
        version: options.version,
        description: 'POC tracking and live coding dojos. Errors are RFC 9457 problem details.',
      }),
    );
    endpoints.push(
      ...opsEndpoints({ checks: adapters.checks, metrics, openapi, isShuttingDown: () => shuttingDown }),
      ...domainEndpoints,
    );
    const app = createHttpApp({
      logger,
      metrics,
      endpoints,
      extraRoutes: adapters.httpRoutes,
      bodyLimitBytes: config.bodyLimitBytes,
      strictResponses: config.nodeEnv !== 'production',
      https: config.publicUrl.startsWith('https:'),
    });

    const httpServer = createServer({
      requestTimeout: 30_000,
      headersTimeout: 10_000,
      keepAliveTimeout: 5_000,
    });
    let roomHost: RoomHost | undefined;
    if (roles.has('rooms')) {
      roomHost = createRoomHost({
        httpServer,
        app,
        logger,
        redisUrl: config.redis?.url,
        publicAddress: config.roomsPublicAddress,
        rooms: modules.flatMap((m) => m.rooms?.(ctx) ?? []),
        maxPayloadBytes: 256 * 1024,
      });
      await roomHost.listen(config.port, config.host);
    } else {
      httpServer.on('request', app);
      await listen(httpServer, config.port, config.host);
    }
    const workers = roles.has('workers')
      ? await startWorkers({
          queue: adapters.queue,
          workers: modules.flatMap((m) => m.workers?.(ctx) ?? []),
          logger,
        })
      : undefined;

    const port = (httpServer.address() as AddressInfo).port;
    logger.info({ port, roles: [...roles], adapters: adapters.describe() }, 'dojo started');

    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        shuttingDown = true;
        logger.info('shutting down: draining');
        const drain = Math.max(1000, config.shutdownTimeoutMs - 2000);
        await Promise.allSettled([
          roomHost ? roomHost.shutdown() : Promise.resolve(),
          closeHttp(httpServer, drain),
          workers ? workers.close() : Promise.resolve(),
        ]);
        await Promise.allSettled(modules.map((m) => m.close?.() ?? Promise.resolve()));
        await adapters.close();
        logger.info('shut down');
      })());
    return { url: `http://127.0.0.1:${port}`, port, adapters, stop };
  } catch (error) {
    await adapters.close().catch(() => undefined);
    throw error;
  }
}

function buildOpenApiOnce(build: () => unknown): () => unknown {
  let doc: unknown;
  return () => (doc ??= build());
}
