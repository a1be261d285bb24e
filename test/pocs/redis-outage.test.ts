import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkSearchTables } from '../../server/modules/pocs/search-repair.ts';
import { signUpAndLogin, type LoggedIn } from '../support/accounts.ts';
import { uniqueName } from '../support/services.ts';
import { freePort, type TestSystem } from '../support/system.ts';
import { client, searchAll, startPocSystem, storeOnly, type Client } from './client.ts';

/**
 * Searches with Redis gone: the system runs on the embedded store and a redis-server of this suite's own,
 * which is paused (SIGSTOP: its data survives, the writes of the outage are missed) and killed (SIGKILL:
 * it comes back empty). Answers must stay right and fast throughout (the page versions live in Redis).
 */
const available = spawnSync('redis-server', ['--version']).status === 0;
if (!available) {
  const reason = 'pocs with Redis stopped: skipped, redis-server is not installed';
  if (process.env.REQUIRE_SERVICES === '1') throw new Error(reason);
  if (process.env.DOJO_TEST_SKIP_FILE) appendFileSync(process.env.DOJO_TEST_SKIP_FILE, reason + '\n');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const probe = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  try {
    for (let i = 0; i < 100; i++) {
      const up = await probe.connect().then(
        () => probe.ping().then(() => true),
        () => false,
      );
      if (up) return child;
      probe.disconnect();
      await sleep(50);
    }
  } finally {
    probe.disconnect();
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not start on port ${port}`);
}

function stopped(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

const s = suite('pocs with Redis stopped');
let port: number;
let redis: ChildProcess;
let system: TestSystem;
let user: LoggedIn;
let api: Client;
let prefix: string;
const QUERIES = [
  { tag: 'a' },
  { tag: ['a', 'b'] },
  { tag: 'c' },
  { tag: 'fresh' },
  { language: 'java' },
  { favorite: true },
  { favorite: false, tag: 'b' },
];

s.before(async () => {
  port = await freePort();
  redis = await startRedis(port);
  prefix = `${uniqueName('pocs_outage')}:`;
  system = await startPocSystem({ REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_KEY_PREFIX: prefix });
  user = await signUpAndLogin(system);
  api = client(system, user);
  for (let i = 0; i < 30; i++) {
    const tags = [['a'], ['a', 'b'], ['b'], ['c']][i % 4] ?? [];
    await api.create({
      name: `p${i}`,
      language: i % 3 ? 'Go' : 'Java',
      tags,
      favorite: i % 4 === 1,
      repoUrl: `https://example.com/${i}`,
    });
  }
});

s.after(async () => {
  await system?.cleanup();
  if (redis && redis.exitCode === null && redis.signalCode === null) {
    redis.kill('SIGCONT');
    redis.kill('SIGKILL');
    await stopped(redis);
  }
});

/** Every query answers as the store alone would; returns the slowest search, in ms. */
async function allRight(step: string): Promise<number> {
  let slowest = 0;
  for (const q of QUERIES) {
    const started = performance.now();
    const got = await searchAll(api, q, 4);
    slowest = Math.max(slowest, (performance.now() - started) / Math.max(1, Math.ceil(got.length / 4)));
    assert.equal(got, await storeOnly(system, user, q), `${step}: ${JSON.stringify(q)}`);
  }
  return slowest;
}

/** Writes of every kind: a create with a new tag, a tag change, a language change, favorites, a delete. */
async function writeEverything(round: string) {
  const list = await api.search({ limit: 100 });
  const [p0, p1, p2, p3] = list.body.pocs;
  assert.ok(p0 && p1 && p2 && p3);
  await api.create({
    name: `fresh ${round}`,
    language: 'Java',
    tags: ['fresh', 'a'],
    repoUrl: 'https://example.com/f',
  });
  assert.is((await api.patch(p0.id, { tags: ['c', 'fresh'] })).status, 200);
  assert.is((await api.patch(p1.id, { language: 'JAVA' })).status, 200);
  assert.is((await api.favorite(p2.id, !p2.favorite)).status, 200);
  assert.is((await api.remove(p3.id)).status, 204);
}

/** Waits until the cache answers again (the breaker probes about every second). */
async function recovered() {
  for (let i = 0; i < 100; i++) {
    if (
      await system.adapters.cache.health().then(
        () => true,
        () => false,
      )
    )
      return;
    await sleep(100);
  }
  throw new Error('the cache did not recover');
}

/** Redis holds no part of the search any more: the store's search tables agree with its base table. */
async function tablesMatchStore(step: string) {
  const check = await checkSearchTables(system.adapters.store);
  assert.equal(check.problems, [], step);
}

s('warm: the search tables answer as the store does', async () => {
  await allRight('warm');
  await tablesMatchStore('warm');
});

s('Redis paused: searches stay right and fast, writes go on; on resume pages are right again', async () => {
  redis.kill('SIGSTOP');
  await allRight('paused, breaker opening');
  const slowest = await allRight('paused, breaker open');
  assert.ok(slowest < 150, `searches while Redis is away took up to ${slowest.toFixed(0)} ms per page`);
  await writeEverything('pause');
  await allRight('paused, after writes');
  redis.kill('SIGCONT');
  await recovered();
  await writeEverything('after pause');
  await allRight('resumed, after writes');
  await tablesMatchStore('resumed, after writes');
});

s('Redis killed and restarted empty: searches stay right and fast', async () => {
  redis.kill('SIGKILL');
  await stopped(redis);
  await allRight('killed, breaker opening');
  const slowest = await allRight('killed, breaker open');
  assert.ok(slowest < 150, `searches while Redis is away took up to ${slowest.toFixed(0)} ms per page`);
  await writeEverything('kill');
  await allRight('killed, after writes');
  redis = await startRedis(port);
  await recovered();
  await writeEverything('after restart');
  await allRight('restarted, first writes');
  await tablesMatchStore('restarted, first writes');
  await writeEverything('after restart, warm');
  await allRight('restarted, after writes');
  await tablesMatchStore('restarted, after writes');
});

if (available) s.run();
