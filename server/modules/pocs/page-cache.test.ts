import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MemoryCache } from '../../adapters/cache-memory/index.ts';
import { ResilientCache } from '../../adapters/cache-resilient/index.ts';
import { SwitchableCache } from '../../../test/support/switchable-cache.ts';
import { SqliteStore } from '../../adapters/store-sqlite/index.ts';
import { unavailable } from '../../lib/errors.ts';
import { silentLogger } from '../../lib/log.ts';
import type { Cache } from '../../ports/cache.ts';
import type { Store, WriteOp } from '../../ports/store.ts';
import { CursorCodec } from './cursor.ts';
import { PocPageCache, type PocPage } from './page-cache.ts';
import { PocRepo } from './repo.ts';
import { POCS_MIGRATIONS } from './schema.ts';
import { PocSearch, type PocQuery } from './search.ts';
import { PocService } from './service.ts';

/** A store whose batches are applied and then reported failed, as a write that timed out after landing. */
function failingAfterWrite(store: Store, fail: () => boolean): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'batch') {
        return async (ops: readonly WriteOp[]) => {
          await target.batch(ops);
          if (fail()) throw unavailable('STORE.UNAVAILABLE', 'timed out after applying');
        };
      }
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

const owner = { tenantId: randomUUID(), userId: randomUUID() };
const kafka: PocQuery = { tags: ['kafka'] };
const input = (name: string, tags = ['kafka']) => ({
  name,
  language: 'Go',
  tags,
  repoUrl: 'https://x.test/r',
});
const names = (page: PocPage) =>
  (JSON.parse(page.json.toString('utf8')) as { pocs: { name: string }[] }).pocs.map((p) => p.name);

const s = suite('pocs: search pages cached per version of the user’s POCs');
let dir: string;
let store: SqliteStore;
let failWrites = false;
const secret = randomBytes(32);

/** A node: its own page cache and services, over the shared store and the given cache. */
function node(cache: Cache, maxPages?: number) {
  const repo = new PocRepo({ store: failingAfterWrite(store, () => failWrites) });
  const pages = new PocPageCache({ cache, ttlSeconds: 3600, ...(maxPages ? { maxPages } : {}) });
  const service = new PocService({
    repo,
    search: new PocSearch({ repo }),
    cursors: new CursorCodec({ secret }),
    pages,
  });
  return { service, pages };
}

s.before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'dojo-pocs-pages-'));
  store = new SqliteStore({ dataDir: dir, logger: silentLogger() });
  await store.migrate(POCS_MIGRATIONS);
});

s.after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

s('a page is served again until a write of the user retires it; the next one is fresh', async () => {
  const cache = new MemoryCache({});
  const { service, pages } = node(cache);
  await service.create(owner, input('first'));
  const first = await service.list(owner, kafka, { limit: 10 });
  assert.is(await service.list(owner, kafka, { limit: 10 }), first, 'the same page object: a hit');
  assert.is(pages.size, 1);
  const second = await service.create(owner, input('second'));
  const after = await service.list(owner, kafka, { limit: 10 });
  assert.is.not(after, first);
  assert.equal(names(after), ['second', 'first']);
  await service.update(owner, second.id, { tags: ['redis'] });
  assert.equal(names(await service.list(owner, kafka, { limit: 10 })), ['first']);
  await service.remove(owner, second.id);
  assert.equal(names(await service.list(owner, { tags: ['redis'] }, { limit: 10 })), []);
  await cache.close();
});

s("another node's write retires this node's pages on its next search", async () => {
  const cache = new MemoryCache({});
  const a = node(cache);
  const b = node(cache);
  const before = names(await a.service.list(owner, kafka, { limit: 10 }));
  await b.service.create(owner, input('from b'));
  assert.equal(names(await a.service.list(owner, kafka, { limit: 10 })), ['from b', ...before]);
  await cache.close();
});

s('a write that failed after landing in the store retires the pages all the same', async () => {
  const cache = new MemoryCache({});
  const { service } = node(cache);
  const byName: PocQuery = { tags: [], name: 'landed' };
  assert.equal(names(await service.list(owner, byName, { limit: 10 })), [], 'an empty page, now cached');
  failWrites = true;
  try {
    await service.create(owner, input('landed'));
    assert.unreachable('the write reported a failure');
  } catch (error) {
    assert.match(String(error), /timed out/);
  } finally {
    failWrites = false;
  }
  assert.equal(names(await service.list(owner, byName, { limit: 10 })), ['landed']);
  await cache.close();
});

s('a lost version key (expiry, eviction) starts a new version, never an older page', async () => {
  const cache = new MemoryCache({});
  const { service } = node(cache);
  const first = await service.list(owner, kafka, { limit: 10 });
  await cache.del([`pocs:{${owner.tenantId}:${owner.userId}}:version`]);
  const again = await service.list(owner, kafka, { limit: 10 });
  assert.is.not(again, first, 'computed anew under a new version');
  assert.equal(names(again), names(first));
  assert.is(await service.list(owner, kafka, { limit: 10 }), again);
  await cache.close();
});

s(
  'with the cache unreachable nothing is served from or kept in the pages; recovery retires what was missed',
  async () => {
    const primary = new SwitchableCache({});
    const cache = new ResilientCache({
      primary,
      logger: silentLogger(),
      resetTimeoutMs: 50,
      failureThreshold: 1,
    });
    const { service, pages } = node(cache);
    const warm = await service.list(owner, kafka, { limit: 10 });
    assert.is(await service.list(owner, kafka, { limit: 10 }), warm);
    primary.down = true;
    const down1 = await service.list(owner, kafka, { limit: 10 });
    const down2 = await service.list(owner, kafka, { limit: 10 });
    assert.is.not(down1, warm);
    assert.is.not(down2, down1, 'computed every time while the cache is away');
    const size = pages.size;
    // A write while the cache is away: its version bump is lost, and remembered by the resilient cache.
    await service.create(owner, input('during outage'));
    assert.equal(names(await service.list(owner, kafka, { limit: 10 }))[0], 'during outage');
    assert.is(pages.size, size, 'no page kept while the cache is away');
    primary.down = false;
    await sleep(120);
    const back = await service.list(owner, kafka, { limit: 10 });
    assert.is(names(back)[0], 'during outage', 'the page cached before the outage is not served again');
    assert.is.not(back, warm);
    await cache.close();
  },
);

s('the pages are bounded; a page read since it was added outlives one that was not', async () => {
  const cache = new MemoryCache({});
  const { service, pages } = node(cache, 2);
  const q = (tag: string): PocQuery => ({ tags: [tag] });
  await service.create(owner, input('bounded', ['t1', 't2', 't3']));
  const t1 = await service.list(owner, q('t1'), { limit: 5 });
  await service.list(owner, q('t2'), { limit: 5 });
  assert.is(await service.list(owner, q('t1'), { limit: 5 }), t1, 'a hit marks t1 as used');
  await service.list(owner, q('t3'), { limit: 5 });
  assert.is(pages.size, 2);
  assert.is(await service.list(owner, q('t1'), { limit: 5 }), t1, 't1 was spared, t2 evicted');
  await cache.close();
});

s.run();
