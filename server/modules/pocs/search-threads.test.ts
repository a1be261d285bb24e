import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '../../../config/index.ts';
import { SqliteStore } from '../../adapters/store-sqlite/index.ts';
import { isAppError } from '../../lib/errors.ts';
import { silentLogger } from '../../lib/log.ts';
import { CursorCodec } from './cursor.ts';
import type { PocPage } from './page-cache.ts';
import { InlinePages, type PageMaker } from './page-maker.ts';
import { PocRepo } from './repo.ts';
import { POCS_MIGRATIONS } from './schema.ts';
import { PocSearch, type PocQuery } from './search.ts';
import { SearchThreads } from './search-threads.ts';
import { PocService, searchScope } from './service.ts';

const s = suite('pocs: search pages computed on search threads');
const owner = { tenantId: randomUUID(), userId: randomUUID() };
const secret = randomBytes(32);
let dir: string;
let store: SqliteStore;
let inline: InlinePages;
let service: PocService;
let clock = Date.UTC(2024, 0, 1);

const QUERIES: PocQuery[] = [
  { tags: [] },
  { tags: ['kafka'] },
  { tags: ['kafka', 'grpc'] },
  { tags: [], language: 'go' },
  { tags: [], name: 'oc 1' },
  { tags: [], favorite: false, year: 2024 },
];

async function start(threads = 2, fallback: PageMaker = inline): Promise<SearchThreads> {
  const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent' });
  return SearchThreads.start({
    threads,
    config,
    secret,
    logger: silentLogger(),
    fallback,
    restartDelayMs: 50,
  });
}

/** Every page of a search, through a page maker, the next cursor decoded as the service would. */
async function allPages(maker: PageMaker, q: PocQuery, limit: number): Promise<PocPage[]> {
  const cursors = new CursorCodec({ secret });
  const scope = searchScope(owner, q);
  const pages: PocPage[] = [];
  let after: { created: number; id: string } | undefined;
  for (;;) {
    const page = await maker.page(owner, q, { limit, ...(after ? { after } : {}) }, scope);
    pages.push(page);
    if (page.nextCursor === null) return pages;
    after = cursors.decode(page.nextCursor, scope);
  }
}

const text = (pages: readonly PocPage[]) => pages.map((p) => p.json.toString('utf8'));

/**
 * Searches until one is answered by a thread rather than the fallback (its count did not move), for up to
 * ten seconds: a replacement thread says it is ready only once it has started.
 */
async function untilAThreadAnswers(
  search: () => Promise<unknown>,
  fallbacks: () => number,
): Promise<boolean> {
  for (let i = 0; i < 400; i++) {
    const before = fallbacks();
    await search();
    if (fallbacks() === before) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

s.before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'dojo-pocs-threads-'));
  store = new SqliteStore({ dataDir: dir, logger: silentLogger() });
  await store.migrate(POCS_MIGRATIONS);
  const repo = new PocRepo({ store });
  const search = new PocSearch({ repo });
  inline = new InlinePages({ search, cursors: new CursorCodec({ secret }) });
  service = new PocService({
    repo,
    search,
    cursors: new CursorCodec({ secret }),
    now: () => (clock += 1000),
  });
  for (let i = 0; i < 60; i++) {
    await service.create(owner, {
      name: `poc ${i}`,
      language: i % 3 ? 'Go' : 'Rust',
      tags: i % 2 ? ['kafka', 'grpc'] : ['kafka'],
      repoUrl: 'https://x.test/r',
      favorite: i % 5 === 0,
    });
  }
});

s.after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

s('threads answer every search with the bytes, counts and cursors the event loop would', async () => {
  const threads = await start();
  try {
    for (const q of QUERIES) {
      for (const limit of [7, 100]) {
        const [there, here] = await Promise.all([allPages(threads, q, limit), allPages(inline, q, limit)]);
        assert.equal(text(there), text(here), `${JSON.stringify(q)} by ${limit}`);
        assert.equal(
          there.map((p) => [p.count, p.source]),
          here.map((p) => [p.count, p.source]),
        );
      }
    }
    const pages = await Promise.all(Array.from({ length: 40 }, () => allPages(threads, QUERIES[1]!, 9)));
    assert.ok(
      pages.every((p) => text(p).join() === text(pages[0]!).join()),
      'concurrent searches agree',
    );
  } finally {
    await threads.close();
  }
});

s('a write is seen by the next search on a thread (read your writes)', async () => {
  const threads = await start(1);
  try {
    const poc = await service.create(owner, {
      name: 'fresh one',
      language: 'Zig',
      repoUrl: 'https://x.test/z',
    });
    const [page] = await allPages(threads, { tags: [], language: 'zig' }, 5);
    assert.ok(page?.json.toString('utf8').includes(poc.id));
  } finally {
    await threads.close();
  }
});

s('a search that fails on a thread fails as it would here; a killed thread is replaced', async () => {
  let fallbacks = 0;
  const threads = await start(1, {
    page: async (...args) => {
      fallbacks++;
      return inline.page(...args);
    },
  });
  try {
    const broken = { tags: undefined } as unknown as PocQuery;
    const failed = await threads.page(owner, broken, { limit: 5 }, 'x').catch((e: unknown) => e);
    assert.ok(isAppError(failed) && failed.code === 'POC.SEARCH_FAILED' && failed.kind === 'INTERNAL');

    const [worker] = threads.workers;
    const q = QUERIES[0]!;
    const inFlight = Array.from({ length: 50 }, () =>
      threads.page(owner, q, { limit: 100 }, searchScope(owner, q)).then(
        () => 'answered',
        (e: unknown) => e,
      ),
    );
    await worker?.terminate();
    const lost = (await Promise.all(inFlight)).filter((r) => r !== 'answered');
    assert.ok(lost.length > 0, 'searches in flight when the thread died');
    for (const e of lost) {
      assert.ok(isAppError(e) && e.code === 'POC.SEARCH_UNAVAILABLE' && e.retriable, String(e));
    }
    const meanwhile = await allPages(threads, QUERIES[1]!, 100);
    assert.is(fallbacks, 1, 'no thread up: the page is computed by the fallback');
    assert.equal(text(meanwhile), text(await allPages(inline, QUERIES[1]!, 100)));
    // The replacement starts after restartDelayMs; until it said it is ready, the fallback answers.
    const answered = await untilAThreadAnswers(
      () => allPages(threads, QUERIES[2]!, 100),
      () => fallbacks,
    );
    assert.ok(answered, 'the replacement answers');
    const [replacement] = threads.workers;
    assert.ok(replacement && replacement !== worker, 'by a new thread');
  } finally {
    await threads.close();
  }
  assert.is(threads.workers.length, 0, 'closed');
});

s('a thread refuses a store that is not migrated, and the start fails', async () => {
  const empty = mkdtempSync(path.join(tmpdir(), 'dojo-pocs-threads-empty-'));
  const bare = new SqliteStore({ dataDir: empty, logger: silentLogger() });
  try {
    const config = loadConfig({ DATA_DIR: empty, LOG_LEVEL: 'silent' });
    const failed = await SearchThreads.start({
      threads: 1,
      config,
      secret,
      logger: silentLogger(),
      fallback: inline,
    })
      .then(async (t) => {
        await t.close();
        return 'started';
      })
      .catch((e: unknown) => e);
    assert.ok(failed instanceof Error && /Not migrated yet/.test(failed.message), String(failed));
  } finally {
    await bare.close();
    rmSync(empty, { recursive: true, force: true });
  }
});

s('a replacement that cannot start is retried until one can, without failing the process', async () => {
  const other = mkdtempSync(path.join(tmpdir(), 'dojo-pocs-threads-retry-'));
  const file = path.join(other, 'store.db');
  const own = new SqliteStore({ dataDir: other, logger: silentLogger() });
  await own.migrate(POCS_MIGRATIONS);
  await own.close();
  let fallbacks = 0;
  const stopped: string[] = [];
  const logger = pino({ level: 'error' }, { write: (line: string) => void stopped.push(line) });
  const config = loadConfig({ DATA_DIR: other, LOG_LEVEL: 'silent' });
  const threads = await SearchThreads.start({
    threads: 1,
    config,
    secret,
    logger,
    restartDelayMs: 20,
    fallback: {
      page: async (...args) => {
        fallbacks++;
        return inline.page(...args);
      },
    },
  });
  try {
    renameSync(file, `${file}.away`);
    await threads.workers[0]?.terminate();
    // Replacements find no store to read (an empty file has no tables) and stop; a few are tried.
    for (let i = 0; i < 400 && stopped.length < 3; i++) await new Promise((r) => setTimeout(r, 25));
    assert.ok(stopped.length >= 3, 'replacements that could not start');
    assert.match(stopped.at(-1) ?? '', /no such table/);
    await threads.page(owner, QUERIES[0]!, { limit: 5 }, searchScope(owner, QUERIES[0]!));
    assert.is(fallbacks, 1, 'no thread could start: the event loop answered');
    renameSync(`${file}.away`, file);
    const answered = await untilAThreadAnswers(
      () => threads.page(owner, QUERIES[0]!, { limit: 5 }, searchScope(owner, QUERIES[0]!)),
      () => fallbacks,
    );
    assert.ok(answered, 'a replacement started once the store was back');
  } finally {
    await threads.close();
    rmSync(other, { recursive: true, force: true });
  }
});

s.run();
