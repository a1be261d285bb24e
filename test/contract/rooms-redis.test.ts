import { loadConfig } from '../../config/index.ts';
import { RedisRoomsBackplane } from '../../server/adapters/rooms-redis/index.ts';
import { silentLogger } from '../../server/lib/log.ts';
import { realService } from '../support/services.ts';
import { roomsContract } from './rooms.contract.ts';

const env = realService('redis', 'rooms-redis');
if (env) {
  const redis = loadConfig(env).redis;
  if (!redis) throw new Error('REDIS_URL did not produce a redis config');
  roomsContract('rooms-redis', async () => {
    // Two backplanes on one Redis, as two nodes would have.
    const adapter = new RedisRoomsBackplane({ url: redis.url, logger: silentLogger() });
    const peer = new RedisRoomsBackplane({ url: redis.url, logger: silentLogger() });
    return {
      adapter,
      peer,
      cleanup: async () => {
        await Promise.all([adapter.close(), peer.close()]);
      },
    };
  });
}
