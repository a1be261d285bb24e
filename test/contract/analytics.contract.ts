import { setTimeout as sleep } from 'node:timers/promises';
import * as assert from 'uvu/assert';
import { isAppError } from '../../server/lib/errors.ts';
import type { Analytics, AnalyticsMigration } from '../../server/ports/analytics.ts';
import { contractSuite } from '../support/contract.ts';
import { uniqueName } from '../support/services.ts';

export interface MadeAnalytics {
  readonly adapter: Analytics;
  /** An adapter on new, empty storage of its own (a schema, a directory); cleanup closes and removes it. */
  fresh(): Promise<Analytics>;
  /**
   * Another adapter on the storage of `first` (made by `fresh`). Unless `shared`, the storage takes one
   * instance at a time (an embedded database in a directory), and this closes `first` before opening.
   */
  again(first: Analytics): Promise<Analytics>;
  readonly shared: boolean;
  cleanup(): Promise<void>;
}

/** Table names unique to one test, so tests on the same database never see each other's rows. */
const fresh = (name: string) => uniqueName(name);

/** Migrations that log themselves into `<log>`; each but the first needs the one before it applied. */
function loggingMigrations(log: string): Migrations {
  return Array.from({ length: 4 }, (_, i) => {
    const id = `${log}_${String(i + 1).padStart(4, '0')}`;
    const create = i === 0 ? `CREATE TABLE ${log} (step serial PRIMARY KEY, id text NOT NULL);\n` : '';
    return { id, sql: `${create}INSERT INTO ${log} (id) VALUES ('${id}');` };
  }) as Migrations;
}
type Migrations = [AnalyticsMigration, AnalyticsMigration, AnalyticsMigration, AnalyticsMigration];

const logged = async (db: Analytics, log: string) =>
  (await db.query<{ id: string }>(`SELECT id FROM ${log} ORDER BY step`)).map((r) => r.id);

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => assert.unreachable('it should have rejected'),
    (error: unknown) => error,
  );
}

/** The behaviour every Analytics adapter must share; registers one uvu suite and runs it. */
export function analyticsContract(label: string, make: () => Promise<MadeAnalytics>) {
  const { s, made } = contractSuite(`${label}: Analytics contract`, make);

  s('health answers', async (ctx) => {
    await made(ctx).adapter.health();
  });

  s('migrate applies each migration once, in id order, whatever the order given', async (ctx) => {
    const { adapter } = made(ctx);
    const log = fresh('mlog');
    const [m1, m2, m3, m4] = loggingMigrations(log);
    await adapter.migrate([m3, m1, m2]);
    assert.equal(await logged(adapter, log), [m1.id, m2.id, m3.id]);
    await adapter.migrate([m1, m2, m3]);
    assert.equal(await logged(adapter, log), [m1.id, m2.id, m3.id], 'a second call is a no-op');
    await adapter.migrate([m4, m2, m1, m3]);
    assert.equal(await logged(adapter, log), [m1.id, m2.id, m3.id, m4.id], 'only the new one applied');
    const recorded = await adapter.query<{ id: string; applied: unknown }>(
      'SELECT id, applied FROM analytics_migrations WHERE id LIKE $1 ORDER BY id',
      [`${log}%`],
    );
    assert.equal(
      recorded.map((r) => r.id),
      [m1.id, m2.id, m3.id, m4.id],
    );
    assert.ok(recorded.every((r) => r.applied instanceof Date));
  });

  s('a failed migration leaves nothing behind and is applied once fixed', async (ctx) => {
    const { adapter } = made(ctx);
    const table = fresh('mfail');
    const id = `${table}_0001`;
    const error = await rejection(
      adapter.migrate([{ id, sql: `CREATE TABLE ${table} (id int); SELECT 1 / 0;` }]),
    );
    assert.match(String(error), id, 'the error names the migration');
    const exists = `SELECT count(*) AS n FROM information_schema.tables WHERE table_name = $1 AND table_schema = current_schema()`;
    assert.equal(await adapter.query(exists, [table]), [{ n: 0 }]);
    assert.equal(await adapter.query('SELECT id FROM analytics_migrations WHERE id = $1', [id]), []);
    await adapter.migrate([{ id, sql: `CREATE TABLE ${table} (id int);` }]);
    assert.equal(await adapter.query(exists, [table]), [{ n: 1 }]);
  });

  s('repeated migration ids are refused before anything runs', async (ctx) => {
    const { adapter } = made(ctx);
    const error = await rejection(
      adapter.migrate([
        { id: 'dup', sql: 'SELECT 1' },
        { id: 'dup', sql: 'SELECT 2' },
      ]),
    );
    assert.ok(isAppError(error) && error.code === 'ANALYTICS.MIGRATION', String(error));
  });

  s(
    'another adapter on the same storage sees what was migrated; concurrent migrates apply once',
    async (ctx) => {
      const { fresh: open, again, shared } = made(ctx);
      const log = fresh('mnode');
      const [m1, m2, m3] = loggingMigrations(log);
      const first = await open();
      await first.migrate([m1, m2]);
      const second = await again(first);
      await second.migrate([m1, m2]);
      assert.equal(await logged(second, log), [m1.id, m2.id], 'the second adapter found them applied');
      // Two nodes (or, on storage of one instance, two callers) race for the same new migration.
      const racer = shared ? first : second;
      await Promise.all([second.migrate([m1, m2, m3]), racer.migrate([m3, m2, m1])]);
      assert.equal(await logged(second, log), [m1.id, m2.id, m3.id]);
    },
  );

  s('parameters and columns of every type we use round-trip', async (ctx) => {
    const { adapter } = made(ctx);
    const table = fresh('types');
    await adapter.migrate([
      {
        id: `${table}_0001`,
        sql: `CREATE TABLE ${table} (id int PRIMARY KEY, t text, i int, b bigint, ok boolean, at timestamptz,
          day date, doc jsonb, list jsonb, tags text[], nums bigint[], amount numeric, ratio double precision)`,
      },
    ]);
    const at = new Date('2024-03-05T10:11:12.345Z');
    const doc = { a: 1, nested: { s: 'x', list: [1, 'two', null] }, flag: true };
    const insert = `INSERT INTO ${table} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`;
    await adapter.query(insert, [
      1,
      'héllo, "world"',
      -7,
      2 ** 40 + 3,
      true,
      at,
      '2024-02-29',
      doc,
      JSON.stringify([1, { b: 2 }]),
      ['a', 'b,c', 'd"e', ''],
      [1, 2 ** 40],
      '12.5',
      0.25,
    ]);
    await adapter.query(insert, [
      2,
      null,
      null,
      5_000_000_000n,
      false,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
    ]);
    const rows = await adapter.query(`SELECT * FROM ${table} ORDER BY id`);
    assert.equal(rows, [
      {
        id: 1,
        t: 'héllo, "world"',
        i: -7,
        b: 2 ** 40 + 3,
        ok: true,
        at,
        day: '2024-02-29',
        doc,
        list: [1, { b: 2 }],
        tags: ['a', 'b,c', 'd"e', ''],
        nums: [1, 2 ** 40],
        amount: 12.5,
        ratio: 0.25,
      },
      {
        id: 2,
        ...{ t: null, i: null, b: 5_000_000_000, ok: false, at: null, day: null, doc: null, list: null },
        ...{ tags: null, nums: null, amount: null, ratio: null },
      },
    ]);
    assert.ok(rows[0]?.at instanceof Date);
    const [found] = await adapter.query(`SELECT id FROM ${table} WHERE at = $1 AND $2 = ANY(tags)`, [
      at,
      'b,c',
    ]);
    assert.equal(found, { id: 1 }, 'a Date and an array element work as parameters in a WHERE');
  });

  s('count(*), sum() and avg() come back as numbers', async (ctx) => {
    const { adapter } = made(ctx);
    const table = fresh('agg');
    await adapter.migrate([
      { id: `${table}_0001`, sql: `CREATE TABLE ${table} (g text, n int, big bigint)` },
    ]);
    await adapter.query(
      `INSERT INTO ${table} SELECT CASE WHEN i % 2 = 0 THEN 'even' ELSE 'odd' END, i, i * 3000000000::bigint
       FROM generate_series(1, 10) AS i`,
    );
    const rows = await adapter.query(
      `SELECT g, count(*) AS c, sum(n) AS s, sum(big) AS sb, avg(n) AS a, max(big) AS mb
       FROM ${table} GROUP BY g ORDER BY g`,
    );
    assert.equal(rows, [
      { g: 'even', c: 5, s: 30, sb: 90_000_000_000, a: 6, mb: 30_000_000_000 },
      { g: 'odd', c: 5, s: 25, sb: 75_000_000_000, a: 5, mb: 27_000_000_000 },
    ]);
    const [empty] = await adapter.query(`SELECT count(*) AS c, sum(n) AS s FROM ${table} WHERE n > 100`);
    assert.equal(empty, { c: 0, s: null });
  });

  s(
    'a bigint beyond Number.MAX_SAFE_INTEGER is refused, not rounded, and the adapter goes on',
    async (ctx) => {
      const { adapter } = made(ctx);
      const error = await rejection(adapter.query('SELECT 9007199254740993::bigint AS n'));
      assert.instance(error, RangeError);
      assert.equal(await adapter.query('SELECT 9007199254740993::bigint::text AS n'), [
        { n: '9007199254740993' },
      ]);
    },
  );

  s('INSERT … ON CONFLICT DO NOTHING RETURNING returns only the new rows', async (ctx) => {
    const { adapter } = made(ctx);
    const table = fresh('upsert');
    await adapter.migrate([
      { id: `${table}_0001`, sql: `CREATE TABLE ${table} (id int PRIMARY KEY, v text)` },
    ]);
    const insert = `INSERT INTO ${table} (id, v) SELECT * FROM unnest($1::int[], $2::text[])
      ON CONFLICT (id) DO NOTHING RETURNING id, v`;
    assert.equal(
      await adapter.query(insert, [
        [1, 2],
        ['a', 'b'],
      ]),
      [
        { id: 1, v: 'a' },
        { id: 2, v: 'b' },
      ],
    );
    assert.equal(
      await adapter.query(insert, [
        [2, 3],
        ['B', 'c'],
      ]),
      [{ id: 3, v: 'c' }],
    );
    assert.equal(await adapter.query(`SELECT v FROM ${table} WHERE id = 2`), [{ v: 'b' }]);
  });

  s('a transaction commits and answers; one that throws leaves nothing and rethrows', async (ctx) => {
    const { adapter } = made(ctx);
    const table = fresh('tx');
    await adapter.migrate([{ id: `${table}_0001`, sql: `CREATE TABLE ${table} (id int PRIMARY KEY)` }]);
    const answer = await adapter.transaction(async (tx) => {
      await tx.query(`INSERT INTO ${table} VALUES (1)`);
      return (await tx.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))[0]?.n;
    });
    assert.is(answer, 1, 'the transaction sees its own writes');
    const boom = new Error('boom');
    const error = await rejection(
      adapter.transaction(async (tx) => {
        await tx.query(`INSERT INTO ${table} VALUES (2)`);
        await tx.query(`INSERT INTO ${table} VALUES (3)`);
        throw boom;
      }),
    );
    assert.is(error, boom);
    assert.equal(await adapter.query(`SELECT id FROM ${table} ORDER BY id`), [{ id: 1 }]);
  });

  s('a statement error that fn swallows still fails the transaction, and nothing is kept', async (ctx) => {
    const { adapter } = made(ctx);
    const table = fresh('txerr');
    await adapter.migrate([{ id: `${table}_0001`, sql: `CREATE TABLE ${table} (id int PRIMARY KEY)` }]);
    await rejection(
      adapter.transaction(async (tx) => {
        await tx.query(`INSERT INTO ${table} VALUES (1)`);
        await tx.query(`INSERT INTO ${table} VALUES (1)`).catch(() => undefined);
        return 'done';
      }),
    );
    assert.equal(await adapter.query(`SELECT id FROM ${table}`), []);
  });

  s("a transaction's runner is valid only inside; the adapter itself is refused there", async (ctx) => {
    const { adapter } = made(ctx);
    const leaked = await adapter.transaction(async (tx) => {
      const inside = await rejection(adapter.query('SELECT 1'));
      assert.match(String(inside), 'runner');
      await rejection(adapter.transaction(async () => undefined));
      return tx;
    });
    await rejection(leaked.query('SELECT 1'));
    await adapter.health();
  });

  s('20 concurrent transactions all apply, and never interleave', async (ctx) => {
    const { adapter } = made(ctx);
    const table = fresh('counter');
    await adapter.migrate([
      {
        id: `${table}_0001`,
        sql: `CREATE TABLE ${table} (k text PRIMARY KEY, n int NOT NULL);
          CREATE TABLE ${table}_seen (n int NOT NULL); INSERT INTO ${table} VALUES ('c', 0);`,
      },
    ]);
    const seen = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        adapter.transaction(async (tx) => {
          const [row] = await tx.query<{ n: number }>(
            `UPDATE ${table} SET n = n + 1 WHERE k = 'c' RETURNING n`,
          );
          if (i % 3 === 0) await sleep(2);
          await tx.query(`INSERT INTO ${table}_seen VALUES ($1)`, [row?.n]);
          return row?.n;
        }),
      ),
    );
    assert.equal(
      [...seen].sort((a, b) => (a ?? 0) - (b ?? 0)),
      Array.from({ length: 20 }, (_, i) => i + 1),
      'each saw its own increment',
    );
    assert.equal(await adapter.query(`SELECT n FROM ${table}`), [{ n: 20 }]);
    assert.equal(await adapter.query(`SELECT count(*) AS c FROM ${table}_seen`), [{ c: 20 }]);
  });

  s("a query during a transaction never sees the transaction's intermediate state", async (ctx) => {
    const { adapter } = made(ctx);
    const table = fresh('iso');
    await adapter.migrate([
      { id: `${table}_0001`, sql: `CREATE TABLE ${table} (n int); INSERT INTO ${table} VALUES (0);` },
    ]);
    let step = (): void => undefined;
    const halfway = new Promise<void>((resolve) => (step = resolve));
    const writer = adapter.transaction(async (tx) => {
      await tx.query(`UPDATE ${table} SET n = 1`);
      step();
      await sleep(20);
      await tx.query(`UPDATE ${table} SET n = 2`);
    });
    await halfway;
    const [read] = await adapter.query<{ n: number }>(`SELECT n FROM ${table}`);
    await writer;
    assert.ok(read?.n === 0 || read?.n === 2, `read ${read?.n}`);
  });

  s('SQL errors are the driver error with its SQLSTATE, not AppErrors', async (ctx) => {
    const { adapter } = made(ctx);
    const syntax = await rejection(adapter.query('SELEC 1'));
    assert.not.ok(isAppError(syntax));
    assert.is((syntax as { code?: string }).code, '42601');
    const table = fresh('unique');
    await adapter.migrate([{ id: `${table}_0001`, sql: `CREATE TABLE ${table} (id int PRIMARY KEY)` }]);
    await adapter.query(`INSERT INTO ${table} VALUES (1)`);
    const duplicate = await rejection(adapter.query(`INSERT INTO ${table} VALUES (1)`));
    assert.is((duplicate as { code?: string }).code, '23505');
    await adapter.health();
  });

  s('close is idempotent; afterwards calls fail with ANALYTICS.UNAVAILABLE', async (ctx) => {
    const other = await made(ctx).fresh();
    await other.health();
    await Promise.all([other.close(), other.close()]);
    await other.close();
    const calls = [
      () => other.query('SELECT 1'),
      () => other.health(),
      () => other.transaction(async () => 1),
    ];
    for (const call of calls) {
      const error = await rejection(call());
      assert.ok(
        isAppError(error) && error.code === 'ANALYTICS.UNAVAILABLE' && error.retriable,
        String(error),
      );
    }
  });

  s.run();
}
