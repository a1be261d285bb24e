import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Config } from '../config/index.ts';
import { createRoomHost, type RoomHost } from '../rooms/host.ts';
import { startWorkers } from '../workers/runner.ts';
import { createAdapters, type Adapters } from './adapters/index.ts';
import type { Capabilities } from './capabilities.ts';
import { createHttpApp } from './http/app.ts';
import { CorsPolicy } from './http/cors.ts';
import type { AnyEndpoint } from './http/endpoint.ts';
import { Metrics } from './http/metrics.ts';
import { buildOpenApi } from './http/openapi.ts';
import { opsEndpoints, type MetricsAccess } from './http/ops.ts';
import { clientErrorHandler } from './http/problem.ts';
import { upgradeHandler, type UpgradeTarget } from './http/upgrades.ts';
import { webApp } from './http/web.ts';
import type { Logger } from './lib/log.ts';
import { createModuleContext } from './module-context.ts';
import type { DojoModule, ModuleInstance } from './modules.ts';
import { startPeriodicTasks } from './tasks.ts';

const WEB_DIST = path.resolve(import.meta.dirname, '../web/dist');

export interface RunningSystem {
  readonly url: string;
  readonly port: number;
  /** The separate metrics listener's URL, when METRICS_PORT is set. */
  readonly metricsUrl: string | undefined;
  readonly adapters: Adapters;
  /** What the modules provide each other (operators' actions among them). */
  readonly capabilities: Partial<Capabilities>;
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

function newHttpServer(): HttpServer {
  const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000, keepAliveTimeout: 5_000 });
  server.on('clientError', clientErrorHandler());
  return server;
}

/** Inits every module in boot order, each seeing what the ones before it provide; undone if one fails. */
async function initModules(
  modules: readonly DojoModule[],
  base: Parameters<typeof createModuleContext>[0],
): Promise<{ instances: ModuleInstance[]; capabilities: Partial<Capabilities> }> {
  const { ctx, provide, provided, addHistory } = createModuleContext(base);
  const instances: ModuleInstance[] = [];
  try {
    for (const m of modules) {
      const instance = await m.init(ctx);
      instances.push(instance);
      if (instance.provides) provide(m.name, instance.provides);
      if (instance.history) addHistory(instance.history);
    }
  } catch (error) {
    await Promise.allSettled(instances.map((i) => i.close?.()));
    throw error;
  }
  return { instances, capabilities: provided };
}

/**
 * Wires the adapters once, inits the modules, and serves the configured roles behind one front door on one
 * HTTP server: every request and every WebSocket upgrade goes through it (routing, CORS, origin checks),
 * whichever roles are on. Returns how to stop it all.
 */
export async function startSystem(options: StartOptions): Promise<RunningSystem> {
  const { config, logger, modules } = options;
  const roles = new Set(config.roles);
  const adapters = await createAdapters({ config, logger });
  let shuttingDown = false;
  let instances: ModuleInstance[] = [];
  try {
    await adapters.store.migrate([...adapters.migrations, ...modules.flatMap((m) => m.migrations ?? [])]);
    const topics = modules.flatMap((m) => m.topics ?? []);
    if (topics.length) await adapters.queue.ensureTopics(topics);

    const metrics = new Metrics();
    const started = await initModules(modules, { config, logger, metrics, adapters });
    instances = started.instances;
    const { capabilities } = started;
    const roomHost: RoomHost | undefined = adapters.rooms
      ? createRoomHost({
          logger,
          backplane: adapters.rooms,
          publicAddress: config.roomsPublicAddress,
          rooms: instances.flatMap((i) => i.rooms ?? []),
          maxPayloadBytes: 256 * 1024,
        })
      : undefined;

    const endpoints: AnyEndpoint[] = [];
    const openapi = buildOpenApiOnce(() =>
      buildOpenApi(endpoints, {
        title: 'Dojo API',
        version: options.version,
        description: 'POC tracking and live coding dojos. Errors are RFC 9457 problem details.',
      }),
    );
    const metricsAccess: MetricsAccess = config.metrics.token ? { token: config.metrics.token } : 'loopback';
    const isShuttingDown = () => shuttingDown;
    endpoints.push(
      ...opsEndpoints({
        checks: adapters.checks,
        metrics,
        openapi,
        isShuttingDown,
        metricsAccess: config.metrics.port ? undefined : metricsAccess,
      }),
      ...(roles.has('api') ? instances.flatMap((i) => i.endpoints ?? []) : []),
      ...(roomHost?.endpoints ?? []),
    );
    const http = {
      logger,
      metrics,
      bodyLimitBytes: config.bodyLimitBytes,
      strictResponses: config.nodeEnv !== 'production',
      https: config.publicUrl.startsWith('https:'),
      corsOrigins: config.corsOrigins,
      trustProxy: config.trustProxy,
    };
    const app = createHttpApp({
      ...http,
      endpoints,
      plainRoutes: adapters.httpRoutes,
      ...(capabilities.auth ? { auth: capabilities.auth } : {}),
      // The browser app (web/dist) comes with the API it calls.
      ...(roles.has('api') ? { fallback: webApp({ distDir: WEB_DIST }) } : {}),
    });
    // Module targets match their own paths; the rooms take whatever is left (Colyseus's URLs are room ids).
    const upgradeTargets: UpgradeTarget[] = [
      ...instances.flatMap((i) => i.upgrades ?? []),
      ...(roomHost ? [roomHost.upgrades] : []),
    ];
    const httpServer = newHttpServer();
    httpServer.on('request', app);
    httpServer.on(
      'upgrade',
      upgradeHandler({ cors: new CorsPolicy(config.corsOrigins), targets: upgradeTargets, logger }),
    );
    await roomHost?.start();
    await listen(httpServer, config.port, config.host);

    let metricsServer: HttpServer | undefined;
    if (config.metrics.port) {
      metricsServer = newHttpServer();
      const access: MetricsAccess = config.metrics.token ? metricsAccess : 'anyone';
      metricsServer.on(
        'request',
        createHttpApp({
          ...http,
          endpoints: opsEndpoints({
            checks: [],
            metrics,
            openapi,
            isShuttingDown,
            metricsAccess: access,
          }).filter((e) => e.path === '/metrics'),
        }),
      );
      await listen(metricsServer, config.metrics.port, config.host);
    }

    const tasks = startPeriodicTasks(
      instances.flatMap((i) => i.tasks ?? []),
      logger,
    );
    const workers = roles.has('workers')
      ? await startWorkers({
          queue: adapters.queue,
          workers: instances.flatMap((i) => i.workers ?? []),
          logger,
        })
      : undefined;

    const port = (httpServer.address() as AddressInfo).port;
    const metricsPort = metricsServer ? (metricsServer.address() as AddressInfo).port : undefined;
    logger.info(
      { port, metricsPort, roles: [...roles], adapters: adapters.describe(), cors: config.corsOrigins },
      'dojo started',
    );

    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        shuttingDown = true;
        logger.info('shutting down: draining');
        const drain = Math.max(1000, config.shutdownTimeoutMs - 2000);
        await Promise.allSettled([
          roomHost ? roomHost.shutdown() : Promise.resolve(),
          ...upgradeTargets.map((t) => t.shutdown?.() ?? Promise.resolve()),
          closeHttp(httpServer, drain),
          metricsServer ? closeHttp(metricsServer, drain) : Promise.resolve(),
          workers ? workers.close() : Promise.resolve(),
          tasks.stop(),
        ]);
        await Promise.allSettled(instances.map((i) => i.close?.() ?? Promise.resolve()));
        await adapters.close();
        logger.info('shut down');
      })());
    return {
      url: `http://127.0.0.1:${port}`,
      port,
      metricsUrl: metricsPort ? `http://127.0.0.1:${metricsPort}` : undefined,
      adapters,
      capabilities,
      stop,
    };
  } catch (error) {
    await Promise.allSettled(instances.map((i) => i.close?.() ?? Promise.resolve()));
    await adapters.close().catch(() => undefined);
    throw error;
  }
}

function buildOpenApiOnce(build: () => unknown): () => unknown {
  let doc: unknown;
  return () => (doc ??= build());
}
