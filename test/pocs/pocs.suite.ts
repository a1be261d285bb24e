import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { signUpAndLogin, type LoggedIn } from '../support/accounts.ts';
import type { TestSystem } from '../support/system.ts';
import type { Backend } from './backends.ts';
import { client, model, searchAll, startPocSystem, storeOnly, type Client, type PocView } from './client.ts';
import { badInputCases } from './bad-input.cases.ts';
import { checkSearchTables } from '../../server/modules/pocs/search-repair.ts';

const repo = (n: number) => `https://github.com/example/poc-${n}`;

/** The POC endpoints over HTTP, against one backend. */
export function pocsSuite(backend: Backend): void {
  const s = suite(`pocs over HTTP (${backend.label})`);
  let system: TestSystem;
  let alice: LoggedIn;
  let bob: LoggedIn;
  let carol: LoggedIn;
  let a: Client;

  s.before(async () => {
    system = await startPocSystem(backend.env);
    alice = await signUpAndLogin(system);
    bob = await signUpAndLogin(system, { invitedBy: alice.token });
    carol = await signUpAndLogin(system);
    assert.is(bob.tenantId, alice.tenantId);
    assert.is.not(carol.tenantId, alice.tenantId);
    a = client(system, alice);
  });
  s.after(async () => {
    await system?.cleanup();
    await backend.cleanup();
  });

  s('POST registers a POC (201) with normalized tags; GET returns it', async () => {
    const created = await a.create({
      name: '  Kafka Streams  ',
      language: 'Java',
      tags: [' Kafka', 'STREAMS', 'kafka'],
      repoUrl: 'https://github.com/example/kafka-streams',
      description: 'Joins and windows',
    });
    assert.is(created.status, 201, JSON.stringify(created.body));
    const poc = created.body;
    assert.match(poc.id, /^[0-9a-f-]{36}$/);
    assert.equal(
      { ...poc, id: '', created: '', updated: '' },
      {
        id: '',
        name: 'Kafka Streams',
        language: 'Java',
        tags: ['kafka', 'streams'],
        repoUrl: 'https://github.com/example/kafka-streams',
        description: 'Joins and windows',
        favorite: false,
        created: '',
        updated: '',
      },
    );
    assert.is(poc.created, poc.updated);
    assert.ok(Math.abs(Date.parse(poc.created) - Date.now()) < 60_000);
    const read = await a.get(poc.id);
    assert.is(read.status, 200);
    assert.equal(read.body, poc);
    const upper = await a.get(poc.id.toUpperCase());
    assert.equal(upper.body, poc, 'ids are case-insensitive');
  });

  s('PATCH changes the given fields only; every field can change', async () => {
    const poc = (
      await a.create({ name: 'Old', language: 'Go', tags: ['a'], repoUrl: repo(1), description: 'd' })
    ).body;
    const renamed = await a.patch(poc.id, { name: 'New' });
    assert.is(renamed.status, 200);
    assert.equal({ ...renamed.body, updated: '' }, { ...poc, name: 'New', updated: '' });
    assert.ok(Date.parse(renamed.body.updated) >= Date.parse(poc.updated));
    const all = await a.patch(poc.id, {
      name: 'All',
      language: 'Rust',
      tags: ['B', 'c'],
      repoUrl: repo(2),
      description: '',
      favorite: true,
    });
    assert.is(all.status, 200);
    assert.equal(
      { ...all.body, updated: '' },
      {
        ...poc,
        name: 'All',
        language: 'Rust',
        tags: ['b', 'c'],
        repoUrl: repo(2),
        description: '',
        favorite: true,
        updated: '',
      },
    );
    assert.equal((await a.get(poc.id)).body, all.body);
    const none = await a.patch(poc.id, {});
    assert.is(none.status, 400);
  });

  s('DELETE answers 204, then the POC is gone (GET, PATCH, DELETE: 404)', async () => {
    const poc = (await a.create({ name: 'Doomed', language: 'Go', repoUrl: repo(3) })).body;
    const removed = await a.remove(poc.id);
    assert.is(removed.status, 204);
    assert.is((await a.get(poc.id)).status, 404);
    assert.is((await a.patch(poc.id, { name: 'x' })).status, 404);
    assert.is((await a.remove(poc.id)).status, 404);
    assert.is((await a.favorite(poc.id, true)).status, 404);
  });

  s('PUT and DELETE /favorite mark and unmark, idempotently, and return the POC', async () => {
    const poc = (await a.create({ name: 'Fav', language: 'Go', repoUrl: repo(4) })).body;
    for (const on of [true, true, false, false, true]) {
      const res = await a.favorite(poc.id, on);
      assert.is(res.status, 200);
      assert.is(res.body.favorite, on);
      assert.is(res.body.id, poc.id);
      assert.is((await a.get(poc.id)).body.favorite, on);
    }
  });

  s('search: name, language, tags, favorite, year and their combinations', async () => {
    const u = await signUpAndLogin(system);
    const api = client(system, u);
    const specs: [string, string, string[], boolean][] = [
      ['Kafka Streams', 'Java', ['kafka', 'stream'], true],
      ['kafka connect', 'java', ['kafka'], false],
      ['Go Kafka client', 'Go', ['kafka', 'client'], false],
      ['gRPC gateway', 'GO', ['grpc', 'gateway'], true],
      ['Streaming ML', 'Python', ['ml', 'stream'], false],
      ['Rust streams', 'rust', ['stream'], true],
      ['Cassandra paging', 'Java', ['cassandra'], false],
    ];
    const pocs: PocView[] = [];
    for (const [name, language, tags, favorite] of specs) {
      pocs.push((await api.create({ name, language, tags, favorite, repoUrl: repo(pocs.length) })).body);
    }
    const year = new Date(pocs[0]?.created ?? Date.now()).getUTCFullYear();
    const queries: Record<string, string | boolean | number | string[]>[] = [
      {},
      { name: 'stream' },
      { name: 'KAFKA' },
      { name: 'zzz' },
      { language: 'java' },
      { language: 'GO' },
      { tag: 'kafka' },
      { tag: ['kafka', 'stream'] },
      { tag: ['KAFKA', 'Client'] },
      { tag: 'nobody' },
      { favorite: true },
      { favorite: false },
      { year },
      { year: year - 1 },
      { name: 'stream', tag: 'stream' },
      { language: 'java', tag: 'kafka', favorite: false },
      { language: 'go', favorite: true },
      { name: 'kafka', language: 'go' },
      { tag: 'stream', favorite: true, year },
      { name: 's', favorite: false, year },
    ];
    for (const q of queries) {
      const want = model(pocs, q);
      assert.equal(await searchAll(api, q, 2), want, `paged by 2: ${JSON.stringify(q)}`);
      assert.equal(await searchAll(api, q, 100), want, `one page: ${JSON.stringify(q)}`);
    }
    assert.ok(model(pocs, { tag: ['kafka', 'stream'] }).length === 1, 'the fixture has a two-tag match');
  });

  s('pagination neither skips nor repeats while POCs are added between pages', async () => {
    const u = await signUpAndLogin(system);
    const api = client(system, u);
    const existing: PocView[] = [];
    for (let i = 0; i < 23; i++) {
      existing.push(
        (
          await api.create({
            name: `p${i}`,
            language: 'Go',
            tags: i % 2 ? ['odd'] : ['even'],
            repoUrl: repo(i),
          })
        ).body,
      );
    }
    for (const q of [{}, { tag: 'odd' }, { language: 'go' }, { name: 'p' }, { tag: 'even', name: 'late' }]) {
      const want = model(existing, q);
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; ; page++) {
        const res = await api.search({ ...q, limit: 4, ...(cursor ? { cursor } : {}) });
        assert.is(res.status, 200);
        seen.push(...res.body.pocs.map((p) => p.id));
        const late = {
          name: `late ${page}`,
          language: 'go',
          tags: ['odd', 'even'],
          repoUrl: repo(100 + page),
        };
        existing.push((await api.create(late)).body);
        if (res.body.nextCursor === null) break;
        cursor = res.body.nextCursor;
      }
      assert.equal(seen, want, `the POCs that existed when paging began: ${JSON.stringify(q)}`);
      assert.is(new Set(seen).size, seen.length, 'no repeats');
    }
  });

  s('the cached answers equal the store-only answers after every kind of write', async () => {
    const u = await signUpAndLogin(system);
    const api = client(system, u);
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const tags = [['x'], ['x', 'y'], ['y'], ['z']][i % 4] ?? [];
      ids.push(
        (
          await api.create({
            name: `c${i}`,
            language: i % 3 ? 'Go' : 'Java',
            tags,
            repoUrl: repo(i),
            favorite: i % 5 === 0,
          })
        ).body.id,
      );
    }
    const queries = [
      { tag: 'x' },
      { tag: ['x', 'y'] },
      { tag: 'z' },
      { tag: 'new' },
      { language: 'java' },
      { language: 'go', tag: 'y' },
      { favorite: true },
      { favorite: false },
      { favorite: false, tag: 'x' },
    ];
    const agree = async (step: string) => {
      for (const q of queries) {
        assert.equal(
          await searchAll(api, q, 5),
          await storeOnly(system, u, q),
          `${step}: ${JSON.stringify(q)}`,
        );
      }
      assert.equal((await checkSearchTables(system.adapters.store)).problems, [], `${step}: search tables`);
    };
    const [i0 = '', i1 = '', i2 = '', i3 = ''] = ids;
    await agree('after creates');
    await api.patch(i0, { tags: ['y', 'new'] });
    await agree('after a tag change');
    await api.patch(i1, { language: 'JAVA' });
    await agree('after a language change');
    await api.favorite(i2, true);
    await agree('after favorite');
    await api.favorite(i2, false);
    await agree('after unfavorite');
    await api.remove(i3);
    await agree('after delete');
    await api.create({
      name: 'fresh',
      language: 'Elixir',
      tags: ['new', 'x'],
      repoUrl: repo(99),
      favorite: true,
    });
    await agree('after a create with a new tag');
    assert.equal(
      await searchAll(api, { language: 'elixir' }, 5),
      await storeOnly(system, u, { language: 'elixir' }),
    );
  });

  s("another user's or tenant's POC is never found, read, changed or removed (404)", async () => {
    const mine = (
      await a.create({
        name: 'Secret sauce',
        language: 'Go',
        tags: ['secret'],
        repoUrl: repo(7),
        favorite: true,
      })
    ).body;
    for (const [who, user] of [
      ['same tenant', bob],
      ['other tenant', carol],
    ] as const) {
      const them = client(system, user);
      for (const res of [
        await them.get(mine.id),
        await them.patch(mine.id, { name: 'stolen' }),
        await them.remove(mine.id),
        await them.favorite(mine.id, false),
        await them.favorite(mine.id, true),
      ]) {
        assert.is(res.status, 404, `${who}: ${JSON.stringify(res.body)}`);
        assert.is((res.body as { code?: string }).code, 'POC.NOT_FOUND');
      }
      for (const q of [{}, { tag: 'secret' }, { name: 'secret' }, { language: 'go' }, { favorite: true }]) {
        assert.not.ok(
          (await searchAll(them, q)).includes(mine.id),
          `${who} found it with ${JSON.stringify(q)}`,
        );
      }
    }
    assert.equal((await a.get(mine.id)).body, mine, 'unchanged');
  });

  s('bad input is a 4xx problem naming the field', async () => {
    const poc = (await a.create({ name: 'Target', language: 'Go', repoUrl: repo(8) })).body;
    for (const c of badInputCases(poc.id)) {
      const res = await client(system, c.anonymous ? undefined : alice).call(c.method, c.path, c.body);
      const label = `${c.method} ${c.path} ${JSON.stringify(c.body) ?? ''}`;
      assert.is(res.status, c.status, `${label}: ${JSON.stringify(res.body)}`);
      assert.is(res.type, 'application/problem+json', label);
      const body = res.body as { code?: string; errors?: { path: string }[] };
      if (c.field)
        assert.ok(
          body.errors?.some((e) => e.path === c.field),
          `${label} names ${c.field}: ${JSON.stringify(body.errors)}`,
        );
      if (c.code) assert.is(body.code, c.code, label);
    }
    assert.equal((await a.get(poc.id)).body, poc, 'nothing changed');
  });

  s('a cursor is refused with other filters, another user, or edited (400 POC.BAD_CURSOR)', async () => {
    for (let i = 0; i < 3; i++)
      await a.create({ name: `cur${i}`, language: 'Go', tags: ['cur'], repoUrl: repo(i) });
    const first = await a.search({ tag: 'cur', limit: 1 });
    const cursor = first.body.nextCursor;
    assert.type(cursor, 'string');
    assert.is(
      (await a.search({ tag: 'cur', limit: 5, cursor: String(cursor) })).status,
      200,
      'the page size may change',
    );
    const refusals = [
      await a.search({ tag: 'other', limit: 1, cursor: String(cursor) }),
      await a.search({ limit: 1, cursor: String(cursor) }),
      await client(system, bob).search({ tag: 'cur', limit: 1, cursor: String(cursor) }),
      await a.search({ tag: 'cur', limit: 1, cursor: `${String(cursor).slice(0, -2)}AA` }),
    ];
    for (const res of refusals) {
      assert.is(res.status, 400, JSON.stringify(res.body));
      assert.is((res.body as unknown as { code: string }).code, 'POC.BAD_CURSOR');
    }
  });

  s('/openapi.json documents every POC endpoint with request and response schemas', async () => {
    const res = await fetch(`${system.url}/openapi.json`);
    const doc = (await res.json()) as { paths: Record<string, Record<string, Record<string, unknown>>> };
    const op = (p: string, m: string) => {
      const o = doc.paths[p]?.[m] as
        | {
            parameters?: { name: string }[];
            requestBody?: { content: Record<string, { schema: unknown }> };
            responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
            security?: unknown;
          }
        | undefined;
      assert.ok(o, `${m} ${p} is documented`);
      return o;
    };
    const body = (o: ReturnType<typeof op>) =>
      o.requestBody?.content['application/json']?.schema as { properties?: Record<string, unknown> };
    const ok = (o: ReturnType<typeof op>, status: string) =>
      o.responses[status]?.content?.['application/json']?.schema as { properties?: Record<string, unknown> };
    const create = op('/v1/pocs', 'post');
    assert.equal(Object.keys(body(create).properties ?? {}).sort(), [
      'description',
      'favorite',
      'language',
      'name',
      'repoUrl',
      'tags',
      'tenantId',
      'userId',
    ]);
    assert.ok(ok(create, '201').properties?.tags);
    const list = op('/v1/pocs', 'get');
    assert.equal((list.parameters ?? []).map((p) => p.name).sort(), [
      'cursor',
      'favorite',
      'language',
      'limit',
      'name',
      'tag',
      'year',
    ]);
    assert.ok(ok(list, '200').properties?.nextCursor);
    for (const m of ['get', 'patch', 'delete']) op('/v1/pocs/{id}', m);
    assert.ok(body(op('/v1/pocs/{id}', 'patch')).properties?.name);
    assert.ok(ok(op('/v1/pocs/{id}', 'get'), '200').properties?.repoUrl);
    assert.ok(op('/v1/pocs/{id}', 'delete').responses['204']);
    for (const m of ['put', 'delete'])
      assert.ok(ok(op('/v1/pocs/{id}/favorite', m), '200').properties?.favorite);
    for (const m of ['get', 'post']) assert.ok(op('/v1/pocs', m).security, 'needs a bearer token');
  });

  s.run();
}
