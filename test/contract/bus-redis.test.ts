import { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '../../config/index.ts';
import { createRedisBus } from '../../server/adapters/bus-redis/index.ts';
import { silentLogger } from '../../server/lib/log.ts';
import { realService, uniqueName } from '../support/services.ts';
import { busContract } from './bus.contract.ts';

const env = realService('redis', 'bus-redis');
if (env) {
  const redis = loadConfig(env).redis;
  if (!redis) throw new Error('REDIS_URL did not produce a redis config');
  const node = (keyPrefix: string, clientName?: string) =>
    createRedisBus({
      url: redis.url,
      keyPrefix,
      logger: silentLogger(),
      ...(clientName ? { clientName } : {}),
    });

  busContract('bus-redis', async () => {
    // Two RedisBus instances: four connections, as two app nodes would have.
    const prefix = `${redis.keyPrefix}${uniqueName('bus')}:`;
    const [adapter, peer] = await Promise.all([node(prefix), node(prefix)]);
    return {
      adapter,
      peer,
      cleanup: async () => {
        await Promise.all([adapter.close(), peer.close()]);
      },
    };
  });

  const subscriberId = async (raw: Redis, clientName: string) => {
    const list = String(await raw.call('CLIENT', 'LIST', 'TYPE', 'pubsub'));
    const line = list.split('\n').find((l) => l.includes(` name=${clientName}:sub `));
    return line === undefined ? undefined : /\bid=(\d+)/.exec(line)?.[1];
  };

  const s = suite('bus-redis: prefix and reconnect');

  s('channels are prefixed: another prefix on the same Redis hears nothing', async () => {
    const name = uniqueName('bus');
    const [mine, theirs] = await Promise.all([node(`${name}:a:`), node(`${name}:b:`)]);
    const raw = new Redis(redis.url);
    try {
      const heard: unknown[] = [];
      const overheard: unknown[] = [];
      await mine.subscribe('c', (m) => heard.push(m));
      await theirs.subscribe('c', (m) => overheard.push(m));
      await raw.publish(`${name}:a:c`, JSON.stringify({ raw: true }));
      await mine.publish('c', 'hello');
      for (let i = 0; i < 100 && heard.length < 2; i++) await sleep(10);
      assert.equal(heard, [{ raw: true }, 'hello']);
      assert.equal(overheard, []);
    } finally {
      await Promise.all([mine.close(), theirs.close(), raw.quit()]);
    }
  });

  s('the subscriber re-subscribes after its connection is killed', async () => {
    const prefix = `${uniqueName('bus')}:`;
    const clientName = uniqueName('dojo_bus_test');
    const bus = await node(prefix, clientName);
    const raw = new Redis(redis.url);
    try {
      const heard: unknown[] = [];
      await bus.subscribe('r', (m) => heard.push(m));
      const id = await subscriberId(raw, clientName);
      assert.ok(id !== undefined, 'the subscriber connection is listed');
      assert.is(await raw.call('CLIENT', 'KILL', 'ID', id), 1, 'only our subscriber connection was killed');
      for (let i = 0; i < 300 && heard.length === 0; i++) {
        await bus.publish('r', 'after reconnect').catch(() => undefined);
        await sleep(20);
      }
      assert.ok(heard.length > 0, 'a message published after the kill arrived');
      const again = await subscriberId(raw, clientName);
      assert.ok(again !== undefined && again !== id, 'the subscriber is back on a new connection');
    } finally {
      await Promise.all([bus.close(), raw.quit()]);
    }
  });

  s.run();
}
