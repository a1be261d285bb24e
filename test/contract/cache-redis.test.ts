import { Redis } from 'ioredis';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '../../config/index.ts';
import { createRedisCache, RedisCache } from '../../server/adapters/cache-redis/index.ts';
import { isAppError } from '../../server/lib/errors.ts';
import { silentLogger } from '../../server/lib/log.ts';
import { realService, uniqueName } from '../support/services.ts';
import { cacheContract } from './cache.contract.ts';

const env = realService('redis', 'cache-redis');
if (env) {
  const redis = loadConfig(env).redis;
  if (!redis) throw new Error('REDIS_URL did not produce a redis config');
  const options = (name: string) => ({
    url: redis.url,
    keyPrefix: `${redis.keyPrefix}${uniqueName(name)}:`,
    logger: silentLogger(),
  });

  cacheContract('cache-redis', async () => {
    const adapter = await createRedisCache(options('cache_contract'));
    return {
      adapter,
      cleanup: async () => {
        await adapter.flush();
        await adapter.close();
      },
    };
  });

  const s = suite('cache-redis: prefix, flush and failing fast');

  s('every key carries the prefix; flush removes only our prefix', async () => {
    const mine = await createRedisCache(options('cache_mine'));
    const other = await createRedisCache(options('cache_other'));
    const raw = new Redis(redis.url);
    try {
      await mine.set('k', 'v');
      await mine.sadd('s', ['m']);
      await mine.incr('n', 60);
      await other.set('k', 'theirs');
      assert.is(await raw.get(`${mine.keyPrefix}k`), 'v');
      assert.equal(await raw.smembers(`${mine.keyPrefix}s`), ['m']);
      assert.is(await raw.get(`${mine.keyPrefix}n`), '1');
      assert.is(await raw.get('k'), null, 'nothing is written without the prefix');
      await mine.flush();
      assert.equal(await raw.keys(`${mine.keyPrefix}*`), []);
      assert.is(await other.get('k'), 'theirs');
    } finally {
      await other.flush();
      await Promise.all([mine.close(), other.close(), raw.quit()]);
    }
  });

  s('a Redis that is not there fails fast with CACHE.UNAVAILABLE instead of queueing', async () => {
    const dead = new RedisCache({ url: 'redis://127.0.0.1:1', keyPrefix: 'x:', logger: silentLogger() });
    try {
      const started = performance.now();
      const error = await dead.get('k').then(
        () => undefined,
        (e: unknown) => e,
      );
      const elapsed = performance.now() - started;
      assert.ok(isAppError(error) && error.code === 'CACHE.UNAVAILABLE', `got ${String(error)}`);
      assert.ok(elapsed < 200, `took ${elapsed} ms`);
      const connect = await createRedisCache({
        ...options('dead'),
        url: 'redis://127.0.0.1:1',
        connectTimeoutMs: 300,
      })
        .then(() => 'connected')
        .catch((e: unknown) => (isAppError(e) ? e.code : String(e)));
      assert.is(connect, 'CACHE.UNAVAILABLE');
    } finally {
      await dead.close();
    }
  });

  s.run();
}
