import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isAppError } from '../../server/lib/errors.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Store } from '../../server/ports/store.ts';
import { CursorCodec } from '../../server/modules/pocs/cursor.ts';
import { PocRepo, type Owner } from '../../server/modules/pocs/repo.ts';
import { POCS_MIGRATIONS } from '../../server/modules/pocs/schema.ts';
import { checkSearchTables } from '../../server/modules/pocs/search-repair.ts';
import { PocSearch, scanStore, type PocQuery } from '../../server/modules/pocs/search.ts';
import { PocService, type PocInput, type PocPatch } from '../../server/modules/pocs/service.ts';
import { crashMidWrites, type CrashTarget } from './crash.ts';

/**
 * The search tables against the base table on one store: after random interleavings of writes (fast-check
 * commands, run a few at a time on one node and on two nodes sharing the store), after a process is
 * killed with SIGKILL in the middle of its writes, and after the repair. Both stores run it.
 */
export interface SearchTablesTarget {
  readonly label: string;
  open(): Promise<Store>;
  /** The same store for a child process (see crash.ts). */
  readonly crash: CrashTarget;
  readonly runs: number;
  cleanup(): Promise<void>;
}

/**
 * Waits until what the store holds stops changing. Cassandra goes on applying the requests a killed
 * client had already sent (they are on the coordinator's queue, or in its batchlog), so a repair run at
 * once can be overtaken by the dead writer's last writes; an operator repairs after a crash, not during it.
 */
async function quiet(store: Store, { every = 750, within = 30_000 } = {}): Promise<void> {
  const snapshot = async () => JSON.stringify(await checkSearchTables(store));
  const deadline = Date.now() + within;
  let last = await snapshot();
  for (;;) {
    await sleep(every);
    const next = await snapshot();
    if (next === last) return;
    if (Date.now() > deadline)
      throw new Error('the store was still changing 30 s after the writer was killed');
    last = next;
  }
}

const TAGS = ['kafka', 'grpc', 'redis', 'k8s', 'ml'];
const LANGUAGES = ['Go', 'Java', 'Rust'];
const WORDS = ['stream', 'cache', 'gateway', 'queue', 'ledger'];

const name = fc
  .tuple(fc.constantFrom(...WORDS), fc.constantFrom(...WORDS), fc.nat(99))
  .map(([a, b, n]) => `${a} ${b} ${n}`);
const input: fc.Arbitrary<PocInput> = fc.record({
  name,
  language: fc.constantFrom(...LANGUAGES),
  tags: fc.subarray(TAGS),
  repoUrl: fc.constant('https://example.com/r'),
  favorite: fc.boolean(),
});
const patch: fc.Arbitrary<PocPatch> = fc.oneof(
  fc.record({ name }),
  fc.record({ tags: fc.subarray(TAGS) }),
  fc.record({ language: fc.constantFrom(...LANGUAGES), tags: fc.subarray(TAGS) }),
  fc.record({ favorite: fc.boolean() }),
);
type Command =
  | { readonly kind: 'create'; readonly node: number; readonly input: PocInput }
  | { readonly kind: 'update'; readonly node: number; readonly target: number; readonly patch: PocPatch }
  | { readonly kind: 'remove'; readonly node: number; readonly target: number };
const command = (nodes: number): fc.Arbitrary<Command> => {
  const node = fc.nat(nodes - 1);
  return fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('create' as const), node, input }) },
    {
      weight: 4,
      arbitrary: fc.record({ kind: fc.constant('update' as const), node, target: fc.nat(2), patch }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), node, target: fc.nat(2) }) },
  );
};
/** Commands in waves: the commands of one wave run at the same time. */
const waves = (nodes: number) =>
  fc.array(fc.array(command(nodes), { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 6 });

const QUERIES: PocQuery[] = [
  { tags: ['kafka'] },
  { tags: ['kafka', 'ml'] },
  { tags: [], language: 'go' },
  { tags: ['redis'], language: 'java' },
  { tags: [], name: 'stream' },
  { tags: [], name: 'ache q' },
  { tags: [], favorite: true },
];

/** The store with every write held until the scheduler lets it go: fast-check picks the interleaving. */
function scheduled(store: Store, scheduler: fc.Scheduler): Store {
  const held = new Set(['batch', 'update', 'delete', 'insert']);
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      const call = (value as (...a: unknown[]) => unknown).bind(target);
      if (!held.has(String(prop))) return call;
      return async (...args: unknown[]) => {
        await scheduler.schedule(Promise.resolve(), String(prop));
        return call(...args);
      };
    },
  });
}

const notFound = (error: unknown) => isAppError(error) && error.kind === 'NOT_FOUND';

async function run(services: PocService[], owner: Owner, plan: Command[][], ids: string[]) {
  for (const wave of plan) {
    await Promise.all(
      wave.map(async (c) => {
        const service = services[c.node] as PocService;
        try {
          if (c.kind === 'create') ids.push((await service.create(owner, c.input)).id);
          else if (ids.length === 0) return;
          else if (c.kind === 'update')
            await service.update(owner, ids[c.target % ids.length] as string, c.patch);
          else await service.remove(owner, ids[c.target % ids.length] as string);
        } catch (error) {
          if (!notFound(error)) throw error;
        }
      }),
    );
  }
}

/** Every query through the search tables answers what a filter of the base table does. */
async function searchesAgree(repo: PocRepo, owner: Owner, label: string) {
  const search = new PocSearch({ repo });
  for (const q of QUERIES) {
    for (const limit of [2, 50]) {
      const paged = async (answer: typeof scanStore) => {
        const ids: string[] = [];
        let after: { created: number; id: string } | undefined;
        for (;;) {
          const page = await answer(repo, owner, q, { limit, ...(after ? { after } : {}) });
          ids.push(...page.pocs.map((p) => p.id));
          if (!page.next) return ids;
          after = page.next;
        }
      };
      const viaTables = await paged((_, o, query, req) => search.search(o, query, req));
      assert.equal(viaTables, await paged(scanStore), `${label}: ${JSON.stringify(q)} by ${limit}`);
    }
  }
}

export function searchTablesSuite(target: SearchTablesTarget): void {
  const s = suite(`pocs search tables agree with the base table (${target.label})`);
  let store: Store;
  const secret = randomBytes(32);
  const node = (scheduler?: fc.Scheduler) => {
    const repo = new PocRepo({ store: scheduler ? scheduled(store, scheduler) : store });
    return new PocService({ repo, search: new PocSearch({ repo }), cursors: new CursorCodec({ secret }) });
  };

  s.before(async () => {
    store = await target.open();
    await store.migrate(POCS_MIGRATIONS);
  });
  s.after(async () => {
    await store.close();
    await target.cleanup();
  });

  s('random interleavings of writes on one node: rows and counts agree', async () => {
    const service = node();
    await fc.assert(
      fc.asyncProperty(waves(1), async (plan) => {
        const owner = { tenantId: randomUUID(), userId: randomUUID() };
        await run([service], owner, plan, []);
        assert.equal((await checkSearchTables(store)).problems, []);
        await searchesAgree(new PocRepo({ store }), owner, 'one node');
      }),
      { numRuns: target.runs },
    );
  });

  s('random interleavings of writes on two nodes: the rows agree (counts are a hint)', async () => {
    await fc.assert(
      fc.asyncProperty(waves(2), fc.scheduler(), async (plan, scheduler) => {
        // Every write of both nodes waits for the scheduler: base writes and search-row batches of racing
        // writes reach the store in any order fast-check picks.
        const services = [node(scheduler), node(scheduler)];
        const owner = { tenantId: randomUUID(), userId: randomUUID() };
        await scheduler.waitFor(run(services, owner, plan, []));
        const problems = (await checkSearchTables(store)).problems.filter((p) => !p.includes('count of'));
        assert.equal(
          problems,
          [],
          scheduler
            .report()
            .map((t) => t.label)
            .join(' '),
        );
        await searchesAgree(new PocRepo({ store }), owner, 'two nodes');
      }),
      { numRuns: target.runs },
    );
    // What the two nodes' races left of the counts, the repair sets right.
    await checkSearchTables(store, { repair: true });
    assert.equal((await checkSearchTables(store)).problems, []);
  });

  s('a search-row batch landing after the batch of the write that replaced it is corrected', async () => {
    // fast-check's scheduler rarely has two writes pending at once over real I/O: this race is forced.
    const late = new Proxy(store, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (prop === 'batch') {
          return async (ops: Parameters<Store['batch']>[0]) => {
            await sleep(60);
            await target.batch(ops);
          };
        }
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const [quick, slowRepo] = [node(), new PocRepo({ store: late })];
    const slow = new PocService({
      repo: slowRepo,
      search: new PocSearch({ repo: slowRepo }),
      cursors: new CursorCodec({ secret }),
    });
    const owner = { tenantId: randomUUID(), userId: randomUUID() };
    const poc = await quick.create(owner, {
      name: 'stream one',
      language: 'Go',
      tags: ['kafka'],
      repoUrl: 'https://x.test/r',
    });
    // The slow node's base write lands first, its search rows 60 ms later, after the quick node's edit.
    const first = slow.update(owner, poc.id, { tags: ['ml'], name: 'queue two' });
    await sleep(30);
    await quick.update(owner, poc.id, { tags: ['grpc'], language: 'Rust' });
    await first;
    const problems = (await checkSearchTables(store)).problems.filter((p) => !p.includes('count of'));
    assert.equal(problems, []);
    await searchesAgree(new PocRepo({ store }), owner, 'after the late batch');
  });

  s('a writer killed mid-write: after the repair everything agrees', async () => {
    const { owner, started, finished } = await crashMidWrites(target.crash);
    assert.ok(started > finished, `writes were in flight at the kill (${started} started, ${finished} done)`);
    await quiet(store);
    await checkSearchTables(store, { repair: true });
    const after = await checkSearchTables(store);
    assert.equal(after.problems, []);
    assert.ok(after.pocs > 0);
    await searchesAgree(new PocRepo({ store }), owner, 'after the crash and the repair');
  });

  s('the repair command puts back what was lost and removes what is stray', async () => {
    const owner = { tenantId: randomUUID(), userId: randomUUID() };
    const service = node();
    for (let i = 0; i < 30; i++) {
      await service.create(owner, {
        name: `${WORDS[i % 5]} poc ${i}`,
        language: 'Go',
        tags: TAGS.slice(i % 4),
        repoUrl: 'https://x.test/r',
        favorite: i % 3 === 0,
      });
    }
    // Lose a whole facet partition and a gram partition; leave rows of a POC that never existed.
    const at = { tenant_id: owner.tenantId, user_id: owner.userId };
    await store.delete('pocs_by_facet', { ...at, facet: 't:kafka' });
    await store.delete('pocs_by_gram', { ...at, gram: 'str' });
    const ghost = { ...at, created: new Date(), id: randomUUID() };
    await store.batch([
      { kind: 'insert', table: 'pocs_by_facet', row: { ...ghost, facet: 't:ml', name: 'ghost' } },
      { kind: 'insert', table: 'pocs_by_gram', row: { ...ghost, gram: 'gho', name: 'ghost' } },
    ]);
    const broken = await checkSearchTables(store);
    assert.ok(broken.disagreements >= 4, broken.problems.join('\n'));
    const { execFileSync } = await import('node:child_process');
    execFileSync(process.execPath, ['scripts/pocs-rebuild-search.ts'], {
      env: { ...process.env, ...target.crash.env },
      stdio: 'ignore',
    });
    assert.equal((await checkSearchTables(store)).problems, []);
    await searchesAgree(new PocRepo({ store }), owner, 'after the repair command');
  });

  s.run();
}
