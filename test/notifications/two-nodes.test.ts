/**
 * A notification produced on a workers-only node reaches a socket.io client connected to an api-only
 * node: the request goes through Kafka, the feed is in Cassandra, the push crosses nodes through Redis.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig, type Env } from '../../config/index.ts';
import { connect, type Connected } from '../push/client.ts';
import { signUpAndLogin, type LoggedIn } from '../support/accounts.ts';
import { deleteKafkaTopics, dropKeyspace, realService, uniqueName } from '../support/services.ts';
import { spawnSystem, type SpawnedSystem } from '../support/system.ts';

const name = 'notifications: api and workers nodes';
const cassandra = realService('cassandra', name);
const kafka = cassandra && realService('kafka', name);
const env = kafka && realService('redis', name);

if (env) {
  const test = suite(`${name} (Cassandra + Kafka + Redis)`);
  const keyspace = uniqueName('notif_nodes');
  const prefix = `${uniqueName('notif')}:`;
  const topics = `${uniqueName('notif')}.`;
  const config = loadConfig(env);
  const dataDirs: string[] = [];
  const clients: Connected[] = [];
  let api: SpawnedSystem;
  let workers: SpawnedSystem;

  const start = (roles: string): Promise<SpawnedSystem> => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'dojo-notif-node-'));
    dataDirs.push(dataDir);
    const nodeEnv: Env = {
      ...env,
      S3_ENDPOINT: undefined,
      SMTP_URL: undefined,
      CASSANDRA_KEYSPACE: keyspace,
      REDIS_KEY_PREFIX: prefix,
      KAFKA_TOPIC_PREFIX: topics,
      ROLES: roles,
      DATA_DIR: dataDir,
    };
    return spawnSystem(nodeEnv, { entry: 'test/dojos/server.ts', timeoutMs: 180_000 });
  };

  test.before(async () => {
    // The api node first: it migrates the keyspace and creates the topics the workers node then finds.
    api = await start('api');
    workers = await start('workers');
  });
  test.after(async () => {
    for (const c of clients) c.close();
    await Promise.allSettled([api?.stop('SIGTERM'), workers?.stop('SIGTERM')]);
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
    const redis = new Redis(config.redis!.url);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await dropKeyspace(config.cassandra!, keyspace);
    await deleteKafkaTopics(config.kafka!.brokers, topics);
  });

  test('a dojo created on the api node: the workers node stores the invitation, the member’s socket gets it', async () => {
    const signUp = (invitedBy?: string): Promise<LoggedIn> =>
      signUpAndLogin({ url: api.url, dataDir: dataDirs[0]! }, invitedBy ? { invitedBy } : {});
    const owner = await signUp();
    const member = await signUp(owner.token);
    const socket = await connect(api.url, member.token);
    clients.push(socket);
    const created = await fetch(`${api.url}/v1/dojo/create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${owner.token}` },
      body: JSON.stringify({
        dojoDate: new Date(Date.now() + 3600_000).toISOString(),
        members: [member.userId],
        subject: 'Across nodes',
      }),
    });
    assert.is(created.status, 201);
    const { dojoId } = (await created.json()) as { dojoId: string };
    const pushed = (await socket.next('notification', 30_000)) as { type: string; data: { dojoId: string } };
    assert.equal([pushed.type, pushed.data.dojoId], ['dojo.invited', dojoId]);
    assert.equal(await socket.next('notification:count', 10_000), { unreadCount: 1 });
    const feed = await fetch(`${api.url}/v1/user/notification`, {
      headers: { authorization: `Bearer ${member.token}` },
    });
    const body = (await feed.json()) as { notifications: { type: string }[]; unreadCount: number };
    assert.equal([body.notifications.map((n) => n.type), body.unreadCount], [['dojo.invited'], 1]);
  });

  test.run();
}
