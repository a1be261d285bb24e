import { spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '../../config/index.ts';
import { createRedisLeases, type RedisLeases } from '../../server/adapters/lease-redis/index.ts';
import { isAppError } from '../../server/lib/errors.ts';
import { silentLogger } from '../../server/lib/log.ts';
import { LEASE_TTL_SECONDS } from '../../server/ports/lease.ts';
import { realService, uniqueName } from '../support/services.ts';
import { leaseContract } from './lease.contract.ts';

const env = realService('redis', 'lease-redis');
if (env) {
  const redis = loadConfig(env).redis;
  if (!redis) throw new Error('REDIS_URL did not produce a redis config');
  const open = (keyPrefix: string) =>
    createRedisLeases({ url: redis.url, keyPrefix, logger: silentLogger() });

  /** Deletes every key under `base` (leases expire only after 24 h). */
  const dropKeys = async (base: string) => {
    const raw = new Redis(redis.url);
    try {
      const pattern = base.replace(/[*?[\]\\]/g, '\\$&') + '*';
      let cursor = '0';
      do {
        const [next, keys] = await raw.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await raw.unlink(...keys);
      } while (cursor !== '0');
    } finally {
      await raw.quit();
    }
  };

  leaseContract('lease-redis', async () => {
    // Sibling prefixes under one unique base: `a:` for the adapter and its peer, `b:` for "another prefix".
    const base = `${redis.keyPrefix}${uniqueName('lease')}:`;
    const [adapter, peer] = await Promise.all([open(`${base}a:`), open(`${base}a:`)]);
    const opened: RedisLeases[] = [adapter, peer];
    return {
      adapter,
      peer,
      open: async (prefix) => {
        const leases = await open(`${base}${prefix === 'same' ? 'a' : 'b'}:`);
        opened.push(leases);
        return leases;
      },
      cleanup: async () => {
        await Promise.all(opened.map((l) => l.close()));
        await dropKeys(base);
      },
    };
  });

  const s = suite('lease-redis: keys, dead processes, unreachable Redis');

  s('a lease is the key <prefix>lease:<key>, expiring after 24 h', async () => {
    const prefix = `${redis.keyPrefix}${uniqueName('lease')}:`;
    const leases = await open(prefix);
    const raw = new Redis(redis.url);
    try {
      await leases.claim('k', 'p1/a');
      assert.is(await raw.get(`${prefix}lease:k`), 'p1/a');
      const ttl = await raw.ttl(`${prefix}lease:k`);
      assert.ok(ttl > LEASE_TTL_SECONDS - 60 && ttl <= LEASE_TTL_SECONDS, `ttl ${ttl}`);
      await leases.announce('p1');
      const [, count] = (await raw.pubsub('NUMSUB', `${prefix}lease-process:p1`)) as [string, number];
      assert.is(Number(count), 1, 'the announce is a subscription to <prefix>lease-process:<processId>');
    } finally {
      await leases.close();
      await raw.quit();
      await dropKeys(prefix);
    }
  });

  s('a process that announced and was then SIGKILLed is seen dead within 2 s', async () => {
    const prefix = `${redis.keyPrefix}${uniqueName('lease')}:`;
    const processId = uniqueName('killed');
    const observer = await open(prefix);
    const adapterUrl = pathToFileURL(
      path.resolve(import.meta.dirname, '../../server/adapters/lease-redis/index.ts'),
    );
    const logUrl = pathToFileURL(path.resolve(import.meta.dirname, '../../server/lib/log.ts'));
    // The child opens its own adapter, announces, and then only waits to be killed.
    const script = `
      import { createRedisLeases } from ${JSON.stringify(adapterUrl.href)};
      import { silentLogger } from ${JSON.stringify(logUrl.href)};
      const { url, keyPrefix, processId } = JSON.parse(process.env.LEASE_CHILD);
      const leases = await createRedisLeases({ url, keyPrefix, logger: silentLogger() });
      await leases.announce(processId);
      setInterval(() => {}, 60_000);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, LEASE_CHILD: JSON.stringify({ url: redis.url, keyPrefix: prefix, processId }) },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('close', (_, signal) => resolve(signal)),
    );
    try {
      let alive = false;
      for (let i = 0; i < 200 && !alive && child.exitCode === null; i++) {
        alive = await observer.processAlive(processId);
        if (!alive) await sleep(50);
      }
      assert.ok(alive, `the child's announce was never observed; stderr: ${stderr}`);
      child.kill('SIGKILL');
      assert.is(await exited, 'SIGKILL');
      const killedAt = performance.now();
      while (await observer.processAlive(processId)) {
        assert.ok(performance.now() - killedAt < 2000, 'still alive 2 s after SIGKILL');
        await sleep(20);
      }
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await observer.close();
    }
  });

  s('a Redis that is not there fails with LEASE.UNAVAILABLE', async () => {
    const code = await createRedisLeases({
      url: 'redis://127.0.0.1:1',
      keyPrefix: 'x:',
      logger: silentLogger(),
      connectTimeoutMs: 300,
    })
      .then(async (l) => {
        await l.close();
        return 'connected';
      })
      .catch((e: unknown) => (isAppError(e) ? e.code : String(e)));
    assert.is(code, 'LEASE.UNAVAILABLE');
  });

  s.run();
}
