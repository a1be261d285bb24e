import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MemoryCache } from '../../adapters/cache-memory/index.ts';
import { SqliteStore } from '../../adapters/store-sqlite/index.ts';
import { silentLogger } from '../../lib/log.ts';
import { CursorCodec } from './cursor.ts';
import { PocPageCache } from './page-cache.ts';
import { PocRepo, type Poc } from './repo.ts';
import { POCS_MIGRATIONS } from './schema.ts';
import { checkSearchTables } from './search-repair.ts';
import { TABLES } from './schema.ts';
import { compareNewestFirst, matches, PocSearch, scanStore, type PocQuery } from './search.ts';
import { PocService, type PocInput } from './service.ts';

/** A seeded PRNG (mulberry32), so a failing combination can be replayed. */
function prng(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  return { next, int, pick };
}

const SEED = Number(process.env.POCS_TEST_SEED ?? 20250501);
const rnd = prng(SEED);
const TAGS = ['kafka', 'grpc', 'redis', 'cassandra', 'k8s', 'ml'];
const LANGUAGES = ['Java', 'Go', 'TypeScript', 'Rust'];
const WORDS = ['Stream', 'Cache', 'Gateway', 'Queue', 'Search', 'Ledger'];

const owner = { tenantId: randomUUID(), userId: randomUUID() };
const other = { tenantId: owner.tenantId, userId: randomUUID() };

function input(): PocInput {
  const tags = TAGS.filter(() => rnd.next() < 0.35);
  const language = rnd.pick(LANGUAGES);
  return {
    name: `${rnd.pick(WORDS)} ${rnd.pick(WORDS).toLowerCase()} ${rnd.int(100)}`,
    language: rnd.next() < 0.5 ? language : language.toUpperCase(),
    tags,
    repoUrl: 'https://example.com/r',
    favorite: rnd.next() < 0.3,
  };
}

function query(): PocQuery {
  const q: { -readonly [K in keyof PocQuery]: PocQuery[K] } = { tags: [] };
  if (rnd.next() < 0.5) q.tags = TAGS.filter(() => rnd.next() < 0.25);
  if (rnd.next() < 0.3) q.language = rnd.pick(LANGUAGES).toLowerCase();
  if (rnd.next() < 0.3) q.name = rnd.pick(WORDS).toLowerCase().slice(rnd.int(3));
  if (rnd.next() < 0.3) q.favorite = rnd.next() < 0.5;
  if (rnd.next() < 0.3) q.year = rnd.pick([2023, 2024, 2025]);
  return q;
}

const s = suite('pocs: search answers agree with the store, on every path');
let dir: string;
let store: SqliteStore;
let cache: MemoryCache;
let repo: PocRepo;
let service: PocService;
let clock = Date.UTC(2023, 5, 1);
const truth = new Map<string, Poc>();

s.before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'dojo-pocs-search-'));
  store = new SqliteStore({ dataDir: dir, logger: silentLogger() });
  await store.migrate(POCS_MIGRATIONS);
  cache = new MemoryCache({});
  repo = new PocRepo({ store });
  service = new PocService({
    repo,
    search: new PocSearch({ repo }),
    cursors: new CursorCodec({ secret: randomBytes(32) }),
    // Every answer below also goes through the page cache, so each write must retire the pages it changes.
    pages: new PocPageCache({ cache, ttlSeconds: 3600 }),
    // Spread over three years, with runs of POCs in the same millisecond to exercise the id tie-break.
    now: () => (rnd.next() < 0.3 ? clock : (clock += 1 + rnd.int(3 * 24 * 3600 * 1000))),
  });
  for (let i = 0; i < 150; i++) {
    const poc = await service.create(owner, input());
    truth.set(poc.id, poc);
  }
  for (let i = 0; i < 20; i++) await service.create(other, input());
});

s.after(async () => {
  await cache.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const expected = (q: PocQuery) =>
  [...truth.values()]
    .filter((p) => matches(p, q))
    .sort((a, b) =>
      compareNewestFirst(
        { created: a.created.getTime(), id: a.id },
        { created: b.created.getTime(), id: b.id },
      ),
    )
    .map((p) => p.id);

async function throughService(q: PocQuery, limit: number): Promise<{ ids: string[]; sources: Set<string> }> {
  const ids: string[] = [];
  const sources = new Set<string>();
  let cursor: string | undefined;
  for (let pages = 0; pages < 500; pages++) {
    const page = await service.list(owner, q, { limit, cursor });
    sources.add(page.source);
    const body = JSON.parse(page.json.toString('utf8')) as { pocs: { id: string }[]; nextCursor: unknown };
    assert.is(body.nextCursor, page.nextCursor);
    assert.is(body.pocs.length, page.count);
    ids.push(...body.pocs.map((p) => p.id));
    assert.ok(page.count <= limit);
    if (page.nextCursor === null) return { ids, sources };
    assert.is(page.count, limit, 'only the last page may be short');
    cursor = page.nextCursor;
  }
  throw new Error('too many pages');
}

async function throughStore(q: PocQuery, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let after: { created: number; id: string } | undefined;
  for (;;) {
    const page = await scanStore(repo, owner, q, { limit, ...(after ? { after } : {}) });
    ids.push(...page.pocs.map((p) => p.id));
    if (!page.next) return ids;
    after = page.next;
  }
}

async function agree(rounds: number) {
  for (let i = 0; i < rounds; i++) {
    const q = query();
    const limit = 1 + rnd.int(9);
    const want = expected(q);
    const label = `seed ${SEED}, query ${JSON.stringify(q)}, limit ${limit}`;
    const got = await throughService(q, limit);
    assert.equal(got.ids, want, `service: ${label}`);
    assert.equal(await throughStore(q, limit), want, `store scan: ${label}`);
  }
}

s('random filter combinations, paged with random limits, match a plain filter of the data', async () => {
  await agree(120);
});

s('each query is answered by the table its filters name', async () => {
  const cases: [PocQuery, string][] = [
    [{ tags: ['kafka'] }, 'facet'],
    [{ tags: ['kafka', 'ml'], language: 'go' }, 'facet'],
    [{ tags: [], favorite: true }, 'facet'],
    [{ tags: [], name: 'stream' }, 'gram'],
    [{ tags: [], name: 'st' }, 'store'],
    [{ tags: [], favorite: false }, 'store'],
    [{ tags: [] }, 'store'],
  ];
  for (const [q, source] of cases) {
    assert.equal([...(await throughService(q, 5)).sources], [source], JSON.stringify(q));
  }
});

async function tablesAgree(step: string) {
  const check = await checkSearchTables(store);
  assert.equal(check.problems, [], step);
  assert.is(check.pocs, truth.size + 20, `${step}: every POC checked`);
}

s('after every kind of write, the search tables agree with the base table', async () => {
  await tablesAgree('after the creates');
  for (let i = 0; i < 60; i++) {
    const ids = [...truth.keys()];
    const id = rnd.pick(ids);
    const action = rnd.int(6);
    if (action === 0) {
      const poc = await service.create(owner, input());
      truth.set(poc.id, poc);
    } else if (action === 1) {
      await service.remove(owner, id);
      truth.delete(id);
    } else if (action === 2) {
      truth.set(id, await service.setFavorite(owner, id, rnd.next() < 0.5));
    } else if (action === 3) {
      truth.set(id, await service.update(owner, id, { name: input().name }));
    } else {
      const { tags, language } = input();
      truth.set(id, await service.update(owner, id, rnd.next() < 0.5 ? { tags } : { language, tags }));
    }
    await agree(3);
  }
  await tablesAgree('after the writes');
});

s('a name row whose POC is gone or renamed never leaks into results', async () => {
  const [id] = truth.keys();
  const victim = truth.get(String(id)) as Poc;
  const at = { tenant_id: owner.tenantId, user_id: owner.userId };
  await store.batch([
    {
      kind: 'insert',
      table: TABLES.byGram,
      row: { ...at, gram: 'str', created: new Date(Date.UTC(2024, 1, 1)), id: randomUUID(), name: 'stream' },
    },
    {
      kind: 'insert',
      table: TABLES.byGram,
      row: { ...at, gram: 'str', created: victim.created, id: victim.id, name: 'stream' },
    },
  ]);
  for (const q of [
    { tags: [], name: 'str' },
    { tags: [], name: 'stream' },
  ]) {
    assert.equal((await throughService(q, 4)).ids, expected(q));
  }
  const check = await checkSearchTables(store, { repair: true });
  assert.ok(check.disagreements >= 1, 'the check sees the stray rows');
  await tablesAgree('after the repair');
});

s('the repair puts back deleted, stale and extra search rows and counts', async () => {
  const [first, second] = [...truth.values()];
  const at = (p: Poc) => ({ tenant_id: owner.tenantId, user_id: owner.userId, created: p.created, id: p.id });
  await store.delete(TABLES.byFacet, { ...at(first as Poc), facet: `l:${(first as Poc).languageKey}` });
  await store.update(
    TABLES.byFacet,
    { ...at(second as Poc), facet: `l:${(second as Poc).languageKey}` },
    { name: 'stale' },
  );
  await store.insert(TABLES.byFacet, { ...at(second as Poc), facet: 't:not-a-tag-of-it', name: 'x' });
  await store.update(
    TABLES.facetCounts,
    { tenant_id: owner.tenantId, user_id: owner.userId, facet: 't:kafka' },
    { pocs: 9999 },
  );
  const before = await checkSearchTables(store, { repair: true });
  assert.is(before.disagreements, 4, before.problems.join('\n'));
  await tablesAgree('after the repair');
  await agree(20);
});

s.run();
