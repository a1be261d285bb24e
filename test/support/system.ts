import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type Env } from '../../config/index.ts';
import { silentLogger } from '../../server/lib/log.ts';
import type { DojoModule } from '../../server/modules.ts';
import { MODULES } from '../../server/modules-list.ts';
import { startSystem, type RunningSystem } from '../../server/system.ts';
import { uniqueName } from './services.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface TestSystem extends RunningSystem {
  readonly dataDir: string;
  /** Stops the system and removes its data directory. */
  cleanup(): Promise<void>;
}

/**
 * Starts the whole system in this process on a free port with a fresh DATA_DIR. Colyseus keeps its
 * matchmaker in module state, so in-process systems run the api and workers roles; room tests use
 * spawnSystem().
 */
export async function startTestSystem(
  options: { env?: Env; modules?: readonly DojoModule[]; dataDir?: string } = {},
): Promise<TestSystem> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'dojo-sys-'));
  const config = loadConfig({
    ROLES: 'api,workers',
    NODE_ENV: 'test',
    ...options.env,
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
  });
  const system = await startSystem({
    config,
    logger: silentLogger(),
    modules: options.modules ?? MODULES,
    version: 'test',
  });
  return {
    ...system,
    dataDir,
    cleanup: async () => {
      await system.stop();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface SpawnedSystem {
  readonly url: string;
  readonly child: ChildProcess;
  /** What the process printed, for failure messages. */
  output(): string;
  /** Waits for the process to exit after a signal; resolves with its exit code or signal. */
  stop(signal?: NodeJS.Signals): Promise<number | NodeJS.Signals | null>;
}

/**
 * Runs `node server/main.ts` (or another entry point relative to the repo root) as a real separate process
 * and waits until /healthz answers.
 */
export async function spawnSystem(
  env: Env,
  options: { timeoutMs?: number; entry?: string } = {},
): Promise<SpawnedSystem> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const child = spawn(process.execPath, [path.join(ROOT, options.entry ?? 'server/main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      ...env,
      // A Redis namespace of its own unless the caller shares one on purpose (several nodes of one system):
      // CI's Redis is shared by every test process, and state such as the sign-up throttle must not add up.
      REDIS_KEY_PREFIX: env.REDIS_KEY_PREFIX ?? `${uniqueName('spawn')}:`,
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`server exited during boot:\n${out}`);
    }
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server not healthy within ${options.timeoutMs ?? 30_000} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    output: () => out,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
