/**
 * Push across processes: an api node (clients connect there) and a workers-only node (no endpoints, no
 * sockets, where notification workers run), sharing Redis (bus, push backplane) and Cassandra (the store:
 * the embedded SQLite store is single-process). An event emitted on the workers node reaches the client on
 * the api node. Kafka, S3 and SMTP stay embedded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig, type Env } from '../../config/index.ts';
import { signUpAndLogin, type LoggedIn } from '../support/accounts.ts';
import { dropKeyspace, realService, uniqueName } from '../support/services.ts';
import { freePort, spawnSystem, type SpawnedSystem } from '../support/system.ts';
import { connect, quiet, upgradeStatus, type Connected } from './client.ts';
import { TRIGGER_CHANNEL, type TriggerMessage } from './trigger-module.ts';

const redisEnv = realService('redis', 'push: api and workers nodes');
const env = redisEnv && realService('cassandra', 'push: api and workers nodes');

if (env) {
  const test = suite('push: api and workers nodes (Redis + Cassandra)');
  const keyspace = uniqueName('push_test');
  const prefix = `${uniqueName('push')}:`;
  const config = loadConfig(env);
  const redis = new Redis(config.redis!.url, { lazyConnect: true });
  const dataDirs: string[] = [];
  const clients: Connected[] = [];
  let api: SpawnedSystem;
  let workers: SpawnedSystem;
  let publicUrl = '';

  const start = async (roles: string): Promise<SpawnedSystem> => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'dojo-push-node-'));
    dataDirs.push(dataDir);
    const nodeEnv: Env = {
      ...env,
      KAFKA_BROKERS: undefined,
      S3_ENDPOINT: undefined,
      SMTP_URL: undefined,
      CASSANDRA_KEYSPACE: keyspace,
      REDIS_KEY_PREFIX: prefix,
      PUBLIC_URL: publicUrl,
      ROLES: roles,
      DATA_DIR: dataDir,
    };
    return spawnSystem(nodeEnv, { entry: 'test/push/server.ts', timeoutMs: 180_000 });
  };

  /** Asks the nodes running exactly `roles` to push, over the shared bus (as the bus adapter encodes it). */
  const trigger = (message: TriggerMessage) =>
    redis.publish(`${prefix}${TRIGGER_CHANNEL}`, JSON.stringify(message));

  test.before(async () => {
    await redis.connect();
    publicUrl = `http://dojo-push-nodes.test:${await freePort()}`;
    // The api node first: it migrates the keyspace, which the workers node then finds in place.
    api = await start('api');
    workers = await start('workers');
  });

  test.after.each(() => {
    for (const c of clients.splice(0)) c.close();
  });

  test.after(async () => {
    await Promise.allSettled([api?.stop('SIGTERM'), workers?.stop('SIGTERM')]);
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await dropKeyspace(config.cassandra!, keyspace);
  });

  const signUp = (): Promise<LoggedIn> => signUpAndLogin({ url: api.url, dataDir: dataDirs[0]! });

  test('an event emitted on the workers node reaches the client on the api node, once', async () => {
    const [user, other] = [await signUp(), await signUp()];
    const c = await connect(api.url, user.token);
    const o = await connect(api.url, other.token);
    clients.push(c, o);
    const payload = { unreadCount: 11 };
    await trigger({ roles: 'workers', userId: user.userId, event: 'notification:count', payload });
    assert.equal(await c.next('notification:count', 10_000), payload);
    await trigger({
      roles: 'workers',
      userId: user.userId,
      event: 'job:progress',
      payload: { kind: 'video', id: 'v1', status: 'RUNNING', progress: 0.25 },
    });
    assert.equal(await c.next('job:progress', 10_000), {
      kind: 'video',
      id: 'v1',
      status: 'RUNNING',
      progress: 0.25,
    });
    await quiet(300);
    assert.is(c.received.length, 2, 'each event once');
    assert.is(o.received.length, 0, 'the other user got nothing');
    // The same from the api node itself, through the same backplane.
    await trigger({
      roles: 'api',
      userId: other.userId,
      event: 'notification:count',
      payload: { unreadCount: 1 },
    });
    assert.equal(await o.next('notification:count', 10_000), { unreadCount: 1 });
  });

  test('the workers node serves no sockets; logging out on the api node ends the socket there', async () => {
    assert.is(await upgradeStatus(workers.url, {}), 404);
    const user = await signUp();
    const c = await connect(api.url, user.token);
    clients.push(c);
    const res = await fetch(`${api.url}/v1/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` },
      body: '{}',
    });
    assert.is(res.status, 200);
    assert.is(await c.disconnected, 'io server disconnect');
  });

  test.run();
}
