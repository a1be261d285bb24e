import { setTimeout as sleep } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isAppError } from '../../server/lib/errors.ts';
import type { Row, Store } from '../../server/ports/store.ts';
import { scanCases } from './store-scan.contract.ts';
import { ADD_COLUMN, TABLES, assertAppError, rejection, seqs } from './store.fixtures.ts';

export interface MadeStore {
  readonly adapter: Store;
  /** A second, independent adapter over the same data (the caller closes it). */
  reopen(): Promise<Store>;
  /** Ids of the migrations applied so far by any of these adapters, once per application. */
  applied(): string[];
  cleanup(): Promise<void>;
}

/** The behaviour every Store adapter must share; registers one uvu suite and runs it. */
export function storeContract(label: string, make: () => Promise<MadeStore>) {
  const s = suite(`${label}: Store contract`);
  let made: MadeStore | undefined;
  const store = (): Store => {
    if (!made) throw new Error('adapter not made');
    return made.adapter;
  };

  s.before(async () => {
    try {
      made = await make();
      await made.adapter.migrate([TABLES]);
    } catch (error) {
      // uvu reports a failing hook without its error.
      console.error(`${label}: setup failed`, error);
      throw error;
    }
  });
  s.after(async () => {
    await made?.cleanup();
  });

  s('migrate again, and from a fresh instance over the same data, is a no-op that keeps rows', async () => {
    assert.equal(made!.applied(), [TABLES.id]);
    await store().insert('claims', { name: 'm1', owner: 'a', version: 1 });
    await store().migrate([TABLES]);
    assert.equal(await store().get('claims', { name: 'm1' }), { name: 'm1', owner: 'a', version: 1 });
    const second = await made!.reopen();
    try {
      await second.migrate([TABLES]);
      assert.equal(await second.get('claims', { name: 'm1' }), { name: 'm1', owner: 'a', version: 1 });
    } finally {
      await second.close();
    }
    assert.equal(made!.applied(), [TABLES.id], 'applied once');
  });

  s('a later migration, run by two instances at once, is applied once and adds a column', async () => {
    const second = await made!.reopen();
    try {
      await Promise.all([store().migrate([TABLES, ADD_COLUMN]), second.migrate([ADD_COLUMN, TABLES])]);
      assert.is((await second.get('claims', { name: 'm1' }))?.note, null);
    } finally {
      await second.close();
    }
    assert.equal(made!.applied(), [TABLES.id, ADD_COLUMN.id]);
    assert.equal(await store().get('claims', { name: 'm1' }), {
      name: 'm1',
      owner: 'a',
      version: 1,
      note: null,
    });
    await store().update('claims', { name: 'm1' }, { note: 'noted' });
    assert.is((await store().get('claims', { name: 'm1' }))?.note, 'noted');
  });

  s('every column type round-trips', async () => {
    const row = {
      id: 'all',
      t: 'unicode ✓ 日本語 😀 \u0000 end',
      u: '0b4b9b3e-6a8c-4d5e-9f00-1a2b3c4d5e6f',
      ts: new Date(Date.UTC(2024, 1, 29, 23, 59, 58, 123)),
      i: -(2 ** 31),
      b: Number.MAX_SAFE_INTEGER,
      d: 3.141592653589793,
      flag: false,
      bin: Buffer.from([0, 1, 2, 254, 255]),
      tags: ['pear', 'apple', 'pear', 'Zebra', 'é'],
      items: ['b', 'a', 'b'],
      attrs: { lang: 'ts', 'key with space': 'välue' },
      doc: { nested: { list: [1, 'two', null, true] }, n: 1.5 },
    };
    await store().insert('kinds', row);
    const read = await store().get('kinds', { id: 'all' });
    assert.ok(read);
    assert.equal(read, { ...row, tags: ['Zebra', 'apple', 'pear', 'é'] });
    assert.instance(read.ts, Date);
    assert.is((read.ts as Date).getTime(), row.ts.getTime());
    assert.ok(Buffer.isBuffer(read.bin), 'blob reads back as a Buffer');
  });

  s('null and absent columns read back null, empty collections read back empty', async () => {
    await store().insert('kinds', {
      id: 'sparse',
      t: null,
      tags: [],
      items: [],
      attrs: {},
      doc: null,
      flag: true,
    });
    assert.equal(await store().get('kinds', { id: 'sparse' }), {
      id: 'sparse',
      t: null,
      u: null,
      ts: null,
      i: null,
      b: null,
      d: null,
      flag: true,
      bin: null,
      tags: [],
      items: [],
      attrs: {},
      doc: null,
    });
    assert.is(await store().get('kinds', { id: 'never-written' }), undefined);
  });

  s('update is an upsert that touches only the named columns', async () => {
    assert.equal(await store().update('claims', { name: 'up' }, { owner: 'x' }), { applied: true });
    assert.equal(await store().get('claims', { name: 'up' }), {
      name: 'up',
      owner: 'x',
      version: null,
      note: null,
    });
    await store().update('claims', { name: 'up' }, { version: 2 });
    assert.equal(await store().get('claims', { name: 'up' }), {
      name: 'up',
      owner: 'x',
      version: 2,
      note: null,
    });
    await store().insert('claims', { name: 'up', note: 'n' });
    assert.equal(await store().get('claims', { name: 'up' }), {
      name: 'up',
      owner: 'x',
      version: 2,
      note: 'n',
    });
    await store().update('claims', { name: 'up' }, { owner: null });
    assert.is((await store().get('claims', { name: 'up' }))?.owner, null);
  });

  s('20 concurrent inserts ifNotExists of one key: exactly one applies; losers see its row', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store().insert('claims', { name: 'race', owner: `o${i}`, version: i }, { ifNotExists: true }),
      ),
    );
    const winners = results.filter((r) => r.applied);
    assert.is(winners.length, 1, `applied: ${winners.length}`);
    const stored = await store().get('claims', { name: 'race' });
    assert.ok(stored);
    for (const loser of results.filter((r) => !r.applied)) {
      assert.is(loser.current?.owner, stored.owner);
      assert.is(loser.current?.version, stored.version);
    }
    const again = await store().insert('claims', { name: 'race', owner: 'late' }, { ifNotExists: true });
    assert.equal(again, { applied: false, current: stored });
  });

  s('compare-and-set: of 10 concurrent updates from the same value exactly one applies', async () => {
    await store().insert('claims', { name: 'cas', owner: 'start', version: 1 });
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        store().update('claims', { name: 'cas' }, { owner: `w${i}`, version: 2 }, { if: { version: 1 } }),
      ),
    );
    assert.is(results.filter((r) => r.applied).length, 1);
    const stored = await store().get('claims', { name: 'cas' });
    assert.is(stored?.version, 2);
    for (const loser of results.filter((r) => !r.applied)) {
      assert.is(loser.current?.version, 2);
      assert.is(loser.current?.owner, stored?.owner);
    }
    const missing = await store().update(
      'claims',
      { name: 'cas-missing' },
      { version: 2 },
      { if: { version: 1 } },
    );
    assert.equal(missing, { applied: false });
    assert.is(await store().get('claims', { name: 'cas-missing' }), undefined);
  });

  s('ifExists and if on update and delete', async () => {
    assert.equal(await store().update('claims', { name: 'ie' }, { owner: 'x' }, { ifExists: true }), {
      applied: false,
    });
    assert.is(await store().get('claims', { name: 'ie' }), undefined, 'a refused update creates nothing');
    await store().insert('claims', { name: 'ie', owner: 'a', version: 1 });
    assert.equal(await store().update('claims', { name: 'ie' }, { owner: 'b' }, { ifExists: true }), {
      applied: true,
    });
    const refused = await store().delete('claims', { name: 'ie' }, { if: { owner: 'a' } });
    assert.is(refused.applied, false);
    assert.is(refused.current?.owner, 'b');
    assert.equal(await store().delete('claims', { name: 'ie' }, { if: { owner: 'b' } }), { applied: true });
    assert.is(await store().get('claims', { name: 'ie' }), undefined);
    assert.equal(await store().delete('claims', { name: 'ie' }, { ifExists: true }), { applied: false });
    await store().insert('claims', { name: 'ie', owner: 'c' });
    assert.equal(await store().delete('claims', { name: 'ie' }, { ifExists: true }), { applied: true });
    assert.is(await store().get('claims', { name: 'ie' }), undefined);
  });

  s('delete removes one row, or a whole partition given its partition key', async () => {
    for (const seq of [1, 2, 3]) await store().insert('events', { stream: 'del', seq, body: `b${seq}` });
    await store().insert('events', { stream: 'del-other', seq: 1, body: 'kept' });
    assert.equal(await store().delete('events', { stream: 'del', seq: 2 }), { applied: true });
    assert.equal(seqs((await store().query('events', { where: { stream: 'del' } })).rows), [1, 3]);
    await store().delete('events', { stream: 'del' });
    assert.equal((await store().query('events', { where: { stream: 'del' } })).rows, []);
    assert.is((await store().get('events', { stream: 'del-other', seq: 1 }))?.body, 'kept');
  });

  s('query: one partition in clustering order, reversed, limited, with range conditions', async () => {
    for (const seq of [5, 1, 4, 2, 3]) await store().insert('events', { stream: 'q', seq, body: `b${seq}` });
    await store().insert('events', { stream: 'q-other', seq: 9, body: 'other' });
    const all = await store().query('events', { where: { stream: 'q' } });
    assert.equal(all.rows[0], { stream: 'q', seq: 1, body: 'b1' });
    assert.equal(seqs(all.rows), [1, 2, 3, 4, 5]);
    assert.is(all.pageState, undefined);
    assert.equal(
      seqs((await store().query('events', { where: { stream: 'q' }, reverse: true })).rows),
      [5, 4, 3, 2, 1],
    );
    const limited = await store().query('events', { where: { stream: 'q' }, limit: 2 });
    assert.equal(seqs(limited.rows), [1, 2]);
    assert.type(limited.pageState, 'string');
    const range = async (r: { gt?: number; gte?: number; lt?: number; lte?: number }, reverse = false) =>
      seqs(
        (await store().query('events', { where: { stream: 'q' }, range: { column: 'seq', ...r }, reverse }))
          .rows,
      );
    assert.equal(await range({ gt: 2 }), [3, 4, 5]);
    assert.equal(await range({ gte: 2 }), [2, 3, 4, 5]);
    assert.equal(await range({ lt: 3 }), [1, 2]);
    assert.equal(await range({ lte: 3 }), [1, 2, 3]);
    assert.equal(await range({ gt: 1, lte: 4 }), [2, 3, 4]);
    assert.equal(await range({ gte: 2, lt: 5 }, true), [4, 3, 2]);
    assert.equal((await store().query('events', { where: { stream: 'none' } })).rows, []);
  });

  s('query: composite partition key, mixed clustering orders, clustering prefix', async () => {
    const base = Date.UTC(2024, 0, 1);
    for (const minute of [0, 1, 2]) {
      for (const id of ['b', 'a']) {
        const at = new Date(base + minute * 60_000);
        await store().insert('timeline', { tenant: 't1', day: 'd1', at, id, body: `${minute}${id}` });
      }
    }
    await store().insert('timeline', { tenant: 't1', day: 'd2', at: new Date(base), id: 'z', body: 'other' });
    const bodies = (rows: readonly Row[]) => rows.map((r) => r.body);
    const where = { tenant: 't1', day: 'd1' };
    assert.equal(bodies((await store().query('timeline', { where })).rows), [
      '2a',
      '2b',
      '1a',
      '1b',
      '0a',
      '0b',
    ]);
    assert.equal(bodies((await store().query('timeline', { where, reverse: true })).rows), [
      '0b',
      '0a',
      '1b',
      '1a',
      '2b',
      '2a',
    ]);
    const prefix = { ...where, at: new Date(base + 60_000) };
    assert.equal(bodies((await store().query('timeline', { where: prefix })).rows), ['1a', '1b']);
    assert.equal(bodies((await store().query('timeline', { where: prefix, reverse: true })).rows), [
      '1b',
      '1a',
    ]);
    const after = await store().query('timeline', { where: prefix, range: { column: 'id', gt: 'a' } });
    assert.equal(bodies(after.rows), ['1b']);
    const since = await store().query('timeline', {
      where,
      range: { column: 'at', gte: new Date(base + 60_000) },
    });
    assert.equal(bodies(since.rows), ['2a', '2b', '1a', '1b']);
  });

  s('paging: 25 rows 10 at a time, no row skipped or repeated, in both directions', async () => {
    await store().batch(
      Array.from(
        { length: 25 },
        (_, seq) => ({ kind: 'insert', table: 'events', row: { stream: 'p', seq } }) as const,
      ),
    );
    for (const reverse of [false, true]) {
      const seen: unknown[] = [];
      const sizes: number[] = [];
      let pageState: string | undefined;
      do {
        const page = await store().query('events', { where: { stream: 'p' }, limit: 10, reverse, pageState });
        sizes.push(page.rows.length);
        seen.push(...seqs(page.rows));
        pageState = page.pageState;
      } while (pageState !== undefined && sizes.length < 10);
      const expected = Array.from({ length: 25 }, (_, i) => (reverse ? 24 - i : i));
      assert.equal(seen, expected);
      assert.equal(sizes.slice(0, 3), [10, 10, 5]);
    }
  });

  s('paging over two clustering columns of opposite orders', async () => {
    const base = Date.UTC(2024, 5, 1);
    const ops = [];
    for (let minute = 0; minute < 5; minute++) {
      for (const id of ['e', 'd', 'c', 'b', 'a']) {
        const row = {
          tenant: 'tp',
          day: 'd',
          at: new Date(base + minute * 60_000),
          id,
          body: `${minute}${id}`,
        };
        ops.push({ kind: 'insert', table: 'timeline', row } as const);
      }
    }
    await store().batch(ops);
    const where = { tenant: 'tp', day: 'd' };
    const whole = (await store().query('timeline', { where })).rows.map((r) => r.body);
    assert.is(whole.length, 25);
    const paged: unknown[] = [];
    let pageState: string | undefined;
    let pages = 0;
    do {
      const page = await store().query('timeline', { where, limit: 10, pageState });
      paged.push(...page.rows.map((r) => r.body));
      pageState = page.pageState;
    } while (pageState !== undefined && ++pages < 10);
    assert.equal(paged, whole);
  });

  s('a garbage pageState is an INVALID AppError', async () => {
    for (const pageState of ['garbage!', 'AAAA', 'zz.zz', 'deadbeef']) {
      const error = await rejection(
        store().query('events', { where: { stream: 'p' }, limit: 10, pageState }),
      );
      assertAppError(error, 'INVALID', 'STORE.BAD_PAGE_STATE');
    }
  });

  s('TTL: a row written for 1 s disappears from get, query and ifNotExists', async () => {
    const claim = { name: 'ttl', owner: 'brief', version: 1 };
    assert.equal(await store().insert('claims', claim, { ttlSeconds: 1, ifNotExists: true }), {
      applied: true,
    });
    await store().insert('events', { stream: 'ttl', seq: 1, body: 'brief' }, { ttlSeconds: 1 });
    await store().update('events', { stream: 'ttl', seq: 3 }, { body: 'brief' }, { ttlSeconds: 1 });
    await store().insert('events', { stream: 'ttl', seq: 2, body: 'stays' });
    assert.is((await store().get('claims', { name: 'ttl' }))?.owner, 'brief');
    assert.equal(seqs((await store().query('events', { where: { stream: 'ttl' } })).rows), [1, 2, 3]);
    await sleep(2100);
    assert.is(await store().get('claims', { name: 'ttl' }), undefined);
    assert.equal(seqs((await store().query('events', { where: { stream: 'ttl' } })).rows), [2]);
    assert.equal(
      (
        await store().getMany(
          'events',
          [1, 2, 3].map((seq) => ({ stream: 'ttl', seq })),
        )
      ).map((r) => r?.seq),
      [undefined, 2, undefined],
    );
    assert.equal(await store().getMany('claims', [{ name: 'ttl' }]), [undefined]);
    const claimed = await store().insert('claims', { name: 'ttl', owner: 'next' }, { ifNotExists: true });
    assert.equal(claimed, { applied: true });
    assert.equal(await store().get('claims', { name: 'ttl' }), {
      name: 'ttl',
      owner: 'next',
      version: null,
      note: null,
    });
  });

  s('batch: all writes become visible together', async () => {
    await store().insert('events', { stream: 'batch', seq: 9, body: 'doomed' });
    await store().batch([
      { kind: 'insert', table: 'events', row: { stream: 'batch', seq: 1, body: 'one' } },
      { kind: 'update', table: 'claims', key: { name: 'batch' }, set: { owner: 'b', version: 7 } },
      { kind: 'delete', table: 'events', key: { stream: 'batch', seq: 9 } },
    ]);
    assert.equal(seqs((await store().query('events', { where: { stream: 'batch' } })).rows), [1]);
    assert.is((await store().get('claims', { name: 'batch' }))?.version, 7);
  });

  s('batch: one bad op rejects the batch and none of its writes is visible', async () => {
    const error = await rejection(
      store().batch([
        { kind: 'insert', table: 'events', row: { stream: 'batch-bad', seq: 1, body: 'x' } },
        { kind: 'update', table: 'claims', key: { name: 'batch-bad' }, set: { owner: 'x' } },
        { kind: 'insert', table: 'no_such_table', row: { id: 'x' } },
      ]),
    );
    assertAppError(error, 'INTERNAL');
    assert.equal((await store().query('events', { where: { stream: 'batch-bad' } })).rows, []);
    assert.is(await store().get('claims', { name: 'batch-bad' }), undefined);
  });

  s('getMany: one answer per key in the order asked, across partitions, missing keys undefined', async () => {
    for (const seq of [1, 2, 3]) await store().insert('events', { stream: 'gm', seq, body: `g${seq}` });
    await store().insert('events', { stream: 'gm-other', seq: 2, body: 'other' });
    const got = await store().getMany('events', [
      { stream: 'gm', seq: 3 },
      { stream: 'gm-other', seq: 2 },
      { stream: 'gm', seq: 9 },
      { stream: 'gm', seq: 1 },
      { stream: 'nowhere', seq: 1 },
      { stream: 'gm', seq: 3 },
    ]);
    assert.equal(got, [
      { stream: 'gm', seq: 3, body: 'g3' },
      { stream: 'gm-other', seq: 2, body: 'other' },
      undefined,
      { stream: 'gm', seq: 1, body: 'g1' },
      undefined,
      { stream: 'gm', seq: 3, body: 'g3' },
    ]);
    assert.equal(await store().getMany('events', []), []);
    // A table without clustering columns, and one keyed by a timestamp and a composite partition key.
    await store().insert('claims', { name: 'gm-a', owner: 'a', version: 1 });
    assert.equal(await store().getMany('claims', [{ name: 'gm-missing' }, { name: 'gm-a' }]), [
      undefined,
      { name: 'gm-a', owner: 'a', version: 1, note: null },
    ]);
    const at = new Date(Date.UTC(2024, 5, 1, 12, 0, 0, 7));
    await store().insert('timeline', { tenant: 'gm', day: 'd', at, id: 'x', body: 'bx' });
    const [hit, miss] = await store().getMany('timeline', [
      { tenant: 'gm', day: 'd', at: new Date(at.getTime()), id: 'x' },
      { tenant: 'gm', day: 'd', at: new Date(at.getTime() + 1), id: 'x' },
    ]);
    assert.equal(hit, { tenant: 'gm', day: 'd', at, id: 'x', body: 'bx' });
    assert.is(miss, undefined);
  });

  s('getMany: more keys than one read takes, each row as get reads it', async () => {
    const seqList = Array.from({ length: 150 }, (_, i) => i);
    await store().batch(
      seqList.map((seq) => ({
        kind: 'insert',
        table: 'events',
        row: { stream: 'gm-many', seq, body: `m${seq}` },
      })),
    );
    const keys = [...seqList].reverse().map((seq) => ({ stream: 'gm-many', seq }));
    const rows = await store().getMany('events', [...keys, { stream: 'gm-many', seq: 150 }]);
    assert.is(rows.length, 151);
    assert.equal(seqs(rows.slice(0, 150) as Row[]), [...seqList].reverse());
    assert.is(rows[150], undefined);
    assert.equal(rows[7], await store().get('events', { stream: 'gm-many', seq: 142 }));
  });

  s('getMany: a partial key, an unknown table or a bad value is an INTERNAL AppError', async () => {
    const bad = (table: string, keys: Row[]) => rejection(store().getMany(table, keys));
    assertAppError(
      await bad('events', [{ stream: 'gm', seq: 1 }, { stream: 'gm' }]),
      'INTERNAL',
      'STORE.BAD_KEY',
    );
    assertAppError(await bad('nope', [{ id: 'x' }]), 'INTERNAL', 'STORE.UNKNOWN_TABLE');
    assertAppError(await bad('events', [{ stream: 'gm', seq: 'one' }]), 'INTERNAL', 'STORE.BAD_VALUE');
  });

  s(
    'misuse is an INTERNAL AppError: unknown table or column, partial key, query without partition',
    async () => {
      assertAppError(await rejection(store().get('nope', { id: 'x' })), 'INTERNAL', 'STORE.UNKNOWN_TABLE');
      assertAppError(await rejection(store().insert('claims', { name: 'x', color: 'red' })), 'INTERNAL');
      assertAppError(await rejection(store().get('events', { stream: 'x' })), 'INTERNAL');
      assertAppError(await rejection(store().query('events', { where: { seq: 1 } })), 'INTERNAL');
      assertAppError(await rejection(store().insert('claims', { name: 'x', version: 'one' })), 'INTERNAL');
    },
  );

  scanCases(s, () => made!);

  s('health resolves', async () => {
    await store().health();
  });

  s('after close, every call rejects', async () => {
    const other = await made!.reopen();
    await other.migrate([TABLES, ADD_COLUMN]);
    await other.close();
    for (const call of [
      () => other.get('claims', { name: 'm1' }),
      () => other.insert('claims', { name: 'closed' }),
      () => other.query('events', { where: { stream: 'q' } }),
      () => other.getMany('events', [{ stream: 'q', seq: 1 }]),
      () => other.scan('events'),
      () => other.health(),
    ]) {
      assert.ok(isAppError(await rejection(call())));
    }
    await other.close();
  });

  s.run();
}
