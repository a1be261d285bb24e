import { randomUUID } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MemoryCache } from '../../adapters/cache-memory/index.ts';
import { ResilientCache } from '../../adapters/cache-resilient/index.ts';
import { SwitchableCache } from '../../../test/support/switchable-cache.ts';
import { silentLogger } from '../../lib/log.ts';
import { memberOf, PocIndex, SENTINEL } from './index-sets.ts';
import type { Poc } from './repo.ts';

const owner = { tenantId: randomUUID(), userId: randomUUID() };
let clock = Date.UTC(2025, 0, 1);

function poc(fields: Partial<Poc> = {}): Poc {
  const created = new Date(clock++);
  return {
    id: randomUUID(),
    name: 'p',
    language: 'Go',
    languageKey: 'go',
    tags: [],
    repoUrl: 'https://example.com',
    description: '',
    favorite: false,
    created,
    updated: created,
    ...fields,
  };
}

async function* from(pocs: readonly Poc[]): AsyncGenerator<Poc> {
  yield* pocs;
}

const sorted = (members: readonly string[]) => [...members].sort();
const membersOf = (...pocs: Poc[]) => sorted(pocs.map(memberOf));

const s = suite('pocs: redis-set index');
let cache: MemoryCache;
let index: PocIndex;
s.before.each(() => {
  cache = new MemoryCache({});
  index = new PocIndex({ cache, logger: silentLogger(), ttlSeconds: 3600 });
});
s.after.each(() => cache.close());

async function hit(include: string[], exclude?: string): Promise<string[]> {
  const found = await index.lookup(owner, include, exclude);
  if (found.kind !== 'hit') throw new Error(`expected a hit, got ${found.kind}`);
  return sorted(found.members);
}

s('a cold index says so, and a rebuild answers tags, languages, favorites and their negation', async () => {
  const a = poc({ tags: ['kafka', 'java'], language: 'Java', languageKey: 'java', favorite: true });
  const b = poc({ tags: ['kafka'] });
  const c = poc({ tags: ['grpc'] });
  assert.is((await index.lookup(owner, ['tag:kafka'])).kind, 'cold');
  assert.ok(await index.rebuild(owner, () => from([a, b, c])));
  assert.equal(await hit(['tag:kafka']), membersOf(a, b));
  assert.equal(await hit(['tag:kafka', 'tag:java']), membersOf(a));
  assert.equal(await hit(['lang:go']), membersOf(b, c));
  assert.equal(await hit(['fav']), membersOf(a));
  assert.equal(await hit(['all'], 'fav'), membersOf(b, c));
  assert.equal(await hit(['tag:kafka'], 'fav'), membersOf(b));
  assert.equal(await hit(['tag:nobody-uses-this']), [], 'an unlisted set is known empty');
  assert.equal(await hit(['tag:kafka', 'tag:nobody-uses-this']), []);
});

s('writes move members between sets, and a new tag starts a complete set', async () => {
  const a = poc({ tags: ['kafka'] });
  await index.rebuild(owner, () => from([a]));
  const b = poc({ tags: ['kafka', 'brand-new'] });
  await index.added(owner, b);
  assert.equal(await hit(['tag:brand-new']), membersOf(b));
  assert.ok((await cache.smembers(`${index.prefix(owner)}tag:brand-new`))?.includes(SENTINEL));
  assert.ok((await cache.smembers(`${index.prefix(owner)}sets`))?.includes('tag:brand-new'));
  const a2 = { ...a, tags: ['grpc'], language: 'Rust', languageKey: 'rust', favorite: true };
  await index.changed(owner, a, a2);
  assert.equal(await hit(['tag:kafka']), membersOf(b));
  assert.equal(await hit(['tag:grpc']), membersOf(a2));
  assert.equal(await hit(['lang:rust']), membersOf(a2));
  assert.equal(await hit(['lang:go']), membersOf(b));
  assert.equal(await hit(['fav']), membersOf(a2));
  await index.removed(owner, b);
  assert.equal(await hit(['tag:kafka']), [], 'an emptied set stays known (the sentinel keeps it)');
  assert.equal(await hit(['all']), membersOf(a2));
});

s('a listed set whose key was invalidated is not trusted, even once a write re-creates it', async () => {
  const a = poc({ tags: ['kafka'] });
  const b = poc({ tags: ['kafka'] });
  await index.rebuild(owner, () => from([a, b]));
  await cache.del([`${index.prefix(owner)}tag:kafka`]);
  assert.is((await index.lookup(owner, ['tag:kafka'])).kind, 'cold', 'missing but listed');
  const c = poc({ tags: ['kafka'] });
  await index.added(owner, c);
  assert.is((await index.lookup(owner, ['tag:kafka'])).kind, 'cold', 're-created without the sentinel');
  assert.ok(await index.rebuild(owner, () => from([a, b, c])));
  assert.equal(await hit(['tag:kafka']), membersOf(a, b, c));
});

s('a missing catalogue or marker makes the index cold', async () => {
  const a = poc({ tags: ['kafka'] });
  await index.rebuild(owner, () => from([a]));
  await cache.del([`${index.prefix(owner)}sets`]);
  assert.is((await index.lookup(owner, ['tag:other'])).kind, 'cold');
  await index.rebuild(owner, () => from([a]));
  await cache.del([`${index.prefix(owner)}indexed`]);
  assert.is((await index.lookup(owner, ['tag:other'])).kind, 'cold');
});

s('a rebuild drops the sets of the previous build', async () => {
  const a = poc({ tags: ['old'] });
  await index.rebuild(owner, () => from([a]));
  const a2 = { ...a, tags: ['new'] };
  await index.rebuild(owner, () => from([a2]));
  assert.is(await cache.exists(`${index.prefix(owner)}tag:old`), false);
  assert.equal(await hit(['tag:old']), []);
  assert.equal(await hit(['tag:new']), membersOf(a2));
});

s('a rebuild fills sets larger than one write chunk completely', async () => {
  const many = Array.from({ length: 2500 }, (_, i) => poc({ tags: i % 2 ? ['odd'] : [] }));
  assert.ok(await index.rebuild(owner, () => from(many)));
  assert.equal(await hit(['all']), membersOf(...many));
  assert.equal(await hit(['tag:odd']), membersOf(...many.filter((_, i) => i % 2)));
});

s('concurrent rebuilds of one user run once', async () => {
  let reads = 0;
  async function* counted(): AsyncGenerator<Poc> {
    reads++;
    yield poc({ tags: ['x'] });
  }
  const results = await Promise.all([1, 2, 3].map(() => index.rebuild(owner, counted)));
  assert.equal(results, [true, true, true]);
  assert.is(reads, 1);
});

s.run();

const outage = suite('pocs: redis-set index while the cache is away');
let primary: SwitchableCache;
let resilient: ResilientCache;
let resilientIndex: PocIndex;
outage.before.each(() => {
  primary = new SwitchableCache({});
  resilient = new ResilientCache({
    primary,
    logger: silentLogger(),
    resetTimeoutMs: 50,
    failureThreshold: 1,
  });
  resilientIndex = new PocIndex({ cache: resilient, logger: silentLogger(), ttlSeconds: 3600 });
});
outage.after.each(() => resilient.close());

outage('lookups answer "down" and rebuilds give up, instead of trusting or rebuilding blind', async () => {
  await resilientIndex.rebuild(owner, () => from([poc({ tags: ['x'] })]));
  primary.down = true;
  assert.is((await resilientIndex.lookup(owner, ['tag:x'])).kind, 'down');
  assert.is(await resilientIndex.rebuild(owner, () => from([])), false);
});

outage('writes missed during an outage leave the index cold after recovery, never wrong', async () => {
  const a = poc({ tags: ['x'] });
  await resilientIndex.rebuild(owner, () => from([a]));
  primary.down = true;
  const b = poc({ tags: ['x'] });
  await resilientIndex.added(owner, b);
  primary.down = false;
  await new Promise((r) => setTimeout(r, 120));
  const found = await resilientIndex.lookup(owner, ['tag:x']);
  assert.is(found.kind, 'cold', JSON.stringify(found));
  assert.ok(await resilientIndex.rebuild(owner, () => from([a, b])));
  const again = await resilientIndex.lookup(owner, ['tag:x']);
  assert.equal(again.kind === 'hit' ? sorted(again.members) : again.kind, membersOf(a, b));
});

outage.run();
