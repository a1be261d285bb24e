/**
 * The server of the rooms benchmark, run as a child process by bench/rooms.ts: the system with the api and
 * rooms roles on the embedded adapters, plus one bench-only endpoint (`POST /bench/loop`) reporting the
 * event-loop delay and GC pauses since its last call. Prints `READY {"url", "dataDir"}`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { loadConfig } from '../config/index.ts';
import { defineEndpoint, reply } from '../server/http/endpoint.ts';
import { silentLogger } from '../server/lib/log.ts';
import type { DojoModule } from '../server/modules.ts';
import { createAccountsModule } from '../server/modules/accounts/index.ts';
import { createDojosModule } from '../server/modules/dojos/index.ts';
import { startSystem } from '../server/system.ts';
import { ready } from './processes.ts';

export interface ServerInfo {
  readonly url: string;
  readonly dataDir: string;
}

export async function serveSystem(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dojo-bench-rooms-'));
  const config = loadConfig({
    NODE_ENV: 'production',
    ROLES: 'api,rooms',
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
  });
  // Sign-ups are seeding here, not what is measured: cheap password hashing.
  const accounts = createAccountsModule({
    hashing: { N: 2 ** 10, r: 8, p: 1, keyLength: 32 },
    // One sign-up per simulated participant, all from this machine.
    throttleSignUpPerAddress: { limit: 1_000_000, windowSeconds: 3600 },
  });
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const gc = { ms: 0, max: 0 };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gc.ms += e.duration;
      gc.max = Math.max(gc.max, e.duration);
    }
  }).observe({ entryTypes: ['gc'] });
  const stats: DojoModule = {
    name: 'bench-stats',
    init: () => ({
      endpoints: [
        defineEndpoint({
          method: 'post',
          path: '/bench/loop',
          summary: 'Event-loop delay and GC pauses since the last call (bench mode only)',
          tags: ['bench'],
          responses: { 200: { description: 'ms' } },
          handler: () => {
            const out = {
              p50: loop.percentile(50) / 1e6,
              p99: loop.percentile(99) / 1e6,
              max: loop.max / 1e6,
              gcMs: gc.ms,
              gcMaxMs: gc.max,
            };
            loop.reset();
            gc.ms = 0;
            gc.max = 0;
            return reply(200, out);
          },
        }),
      ],
    }),
  };
  const system = await startSystem({
    config,
    logger: silentLogger(),
    modules: [accounts, createDojosModule(), stats],
    version: 'bench',
  });
  ready({ url: system.url, dataDir } satisfies ServerInfo, async () => {
    await system.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
}

/** Event-loop delay percentiles (and, for the server, GC pause time), ms. */
export interface Loop {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly gcMs?: number;
  readonly gcMaxMs?: number;
}

if (import.meta.main) await serveSystem();
