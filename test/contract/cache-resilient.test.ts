import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RedisCache } from '../../server/adapters/cache-redis/index.ts';
import { readThrough, ResilientCache } from '../../server/adapters/cache-resilient/index.ts';
import { silentLogger } from '../../server/lib/log.ts';
import { uniqueName } from '../support/services.ts';
import { cacheContract } from './cache.contract.ts';

const REDIS_SERVER = '/usr/bin/redis-server';

/** A private redis-server this file can kill and restart; its data dir survives restarts (SAVE → dump.rdb). */
class RedisServer {
  readonly port: number;
  readonly dir: string;
  #child: ChildProcess | undefined;
  readonly #killOnExit = () => this.#child?.kill('SIGKILL');

  constructor(port: number, dir: string) {
    this.port = port;
    this.dir = dir;
    process.on('exit', this.#killOnExit);
  }

  static async create(): Promise<RedisServer> {
    const dir = await mkdtemp(path.join(tmpdir(), 'dojo-redis-'));
    const server = new RedisServer(await freePort(), dir);
    await server.start();
    return server;
  }

  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    const child = spawn(REDIS_SERVER, [...args, '--dir', this.dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('error', reject);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited (${code}):\n${output}`));
      });
    });
  }

  async kill(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }

  async destroy(): Promise<void> {
    await this.kill();
    process.off('exit', this.#killOnExit);
    await rm(this.dir, { recursive: true, force: true });
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function resilient(url: string, options: { maxRememberedKeys?: number } = {}) {
  const keyPrefix = `${uniqueName('resilient')}:`;
  const primary = new RedisCache({ url, keyPrefix, logger: silentLogger() });
  const cache = new ResilientCache({
    primary,
    logger: silentLogger(),
    callTimeoutMs: 250,
    failureThreshold: 2,
    resetTimeoutMs: 500,
    ...options,
  });
  return { cache, primary, keyPrefix };
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms: number): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > ms) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(25);
  }
  return performance.now() - started;
}

cacheContract('cache-resilient', async () => {
  const server = await RedisServer.create();
  const { cache, primary } = resilient(server.url);
  await primary.ready();
  return {
    adapter: cache,
    cleanup: async () => {
      await cache.close();
      await server.destroy();
    },
  };
});

interface OutageContext {
  server?: RedisServer;
  raw?: Redis;
}

const s = suite<OutageContext>('cache-resilient: Redis killed and restarted', {});

s.before(async (ctx) => {
  ctx.server = await RedisServer.create();
  ctx.raw = new Redis(ctx.server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
});

s.after(async (ctx) => {
  ctx.raw?.disconnect();
  await ctx.server?.destroy();
});

s(
  'misses fast while down, keeps counting, and never serves a write missed during the outage',
  async (ctx) => {
    const server = ctx.server!;
    const raw = ctx.raw!;
    const { cache, primary, keyPrefix } = resilient(server.url);
    try {
      await primary.ready();
      await cache.set('keep', 'k0');
      await cache.set('stale', 's0');
      await cache.set('overwritten', 'o0');
      await cache.sadd('members', ['a', 'b']);
      assert.is(await cache.incr('counter', 300), 1);
      await raw.connect();
      await raw.save();
      raw.disconnect();

      await server.kill();
      const slow: number[] = [];
      for (let i = 0; i < 10; i++) {
        const started = performance.now();
        assert.is(await cache.get('keep'), undefined, 'a read while Redis is down is a miss');
        const took = performance.now() - started;
        if (cache.state === 'open') slow.push(took);
      }
      assert.is(cache.state, 'open');
      assert.ok(slow.length >= 5, 'the circuit opened after a few failures');
      assert.ok(Math.max(...slow) < 300, `reads took ${slow.map((t) => t.toFixed(1)).join(', ')} ms`);
      assert.is(await cache.exists('keep'), undefined);
      assert.is(await cache.smembers('members'), undefined);

      let loads = 0;
      const load = async () => `loaded-${++loads}`;
      assert.is(await readThrough(cache, 'through', 60, load), 'loaded-1');
      assert.is(await readThrough(cache, 'through', 60, load), 'loaded-2');

      assert.equal([await cache.incr('counter', 300), await cache.incr('counter', 300)], [1, 2]);
      assert.is(await cache.incr('counter', 300), 3, 'the per-node fallback keeps counting');
      const ttl = await cache.ttl('counter');
      assert.ok(ttl !== undefined && ttl > 290, `fallback ttl ${ttl}`);

      await cache.del(['stale']);
      await cache.set('overwritten', 'o1');
      await cache.sadd('members', ['c']);
      await cache.expire('keep-ttl', 10);

      await server.start();
      const closedAfter = await waitFor('breaker closes', () => cache.state === 'closed', 5000);
      assert.ok(closedAfter < 5000);

      assert.is(await cache.get('keep'), 'k0', 'data from before the outage survived the restart');
      assert.is(await cache.get('stale'), undefined, 'deleted during the outage: must not come back');
      assert.is(
        await cache.get('overwritten'),
        undefined,
        'overwritten during the outage: old value is stale',
      );
      assert.is(
        await cache.smembers('members'),
        undefined,
        'set changed during the outage: old members are stale',
      );
      await raw.connect();
      assert.equal(
        await raw.exists(`${keyPrefix}stale`, `${keyPrefix}overwritten`, `${keyPrefix}members`),
        0,
      );
      assert.is(await raw.get(`${keyPrefix}keep`), 'k0');
      raw.disconnect();

      assert.is(await cache.incr('counter', 300), 2, 'counting is back on Redis');
      await cache.set('stale', 's2');
      assert.is(await cache.get('stale'), 's2', 'writes reach Redis again');
      assert.is(await readThrough(cache, 'through', 60, load), 'loaded-3');
      assert.is(await readThrough(cache, 'through', 60, load), 'loaded-3', 'served from Redis now');
    } finally {
      await cache.close();
    }
  },
);

s('too many missed writes: the whole prefix is flushed on recovery, other prefixes are kept', async (ctx) => {
  const server = ctx.server!;
  const raw = ctx.raw!;
  const { cache, primary, keyPrefix } = resilient(server.url, { maxRememberedKeys: 3 });
  const other = new RedisCache({
    url: server.url,
    keyPrefix: `${uniqueName('other')}:`,
    logger: silentLogger(),
  });
  try {
    await Promise.all([primary.ready(), other.ready()]);
    await cache.set('a', '1');
    await cache.set('b', '2');
    await other.set('a', 'theirs');
    await raw.connect();
    await raw.save();
    raw.disconnect();

    await server.kill();
    await waitFor('breaker opens', async () => (await cache.get('a'), cache.state === 'open'), 3000);
    for (const key of ['w1', 'w2', 'w3', 'w4', 'w5']) await cache.set(key, 'x');

    await server.start();
    await waitFor('breaker closes', () => cache.state === 'closed', 5000);
    await raw.connect();
    await waitFor('prefix flushed', async () => (await raw.keys(`${keyPrefix}*`)).length === 0, 3000);
    assert.is(await cache.get('a'), undefined);
    assert.is(await other.get('a'), 'theirs', 'data survived the restart; only our prefix was flushed');
    raw.disconnect();
  } finally {
    await Promise.all([cache.close(), other.close()]);
  }
});

s.run();
