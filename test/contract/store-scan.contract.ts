/** Store.scan, the full-table walk of backfills: cases of the Store contract (store.contract.ts). */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Migration, Page, Row, Store, TableDef } from '../../server/ports/store.ts';
import type { MadeStore } from './store.contract.ts';
import { ADD_COLUMN, TABLES, assertAppError, rejection } from './store.fixtures.ts';

const timeline = TABLES.createTables?.find((t) => t.name === 'timeline') as TableDef;

/** Tables only the scan cases write, so that a scan knows every row it should see. */
export const SCAN_TABLES: Migration = {
  id: '0003_contract_scan',
  createTables: [
    // A composite partition key and clustering columns of opposite orders.
    { ...timeline, name: 'scan_many' },
    {
      name: 'scan_brief',
      columns: { name: 'text', n: 'int', body: 'text' },
      partitionKey: ['name'],
      clusteringKey: [{ column: 'n', order: 'asc' }],
    },
  ],
};
const MIGRATIONS = [TABLES, ADD_COLUMN, SCAN_TABLES];

/** 23 rows over 6 partitions of 3 to 4 clustering rows each. */
const MANY: Row[] = Array.from({ length: 23 }, (_, i) => ({
  tenant: `t${i % 3}`,
  day: `d${i % 2}`,
  at: new Date(Date.UTC(2024, 0, 1) + (i % 4) * 1000),
  id: `r${String(i).padStart(2, '0')}`,
  body: `body ${i}`,
}));

/** Every page of a scan from `pageState` on (at most 50 pages), and the rows of each. */
async function scanAll(
  store: Store,
  table: string,
  limit: number,
  pageState?: string,
): Promise<{ pages: Page[]; rows: Row[] }> {
  const pages: Page[] = [];
  let next = pageState;
  do {
    const page = await store.scan(table, { limit, ...(next === undefined ? {} : { pageState: next }) });
    pages.push(page);
    next = page.pageState;
  } while (next !== undefined && pages.length < 50);
  assert.is(next, undefined, 'the scan ends');
  return { pages, rows: pages.flatMap((p) => p.rows) };
}

const ids = (rows: readonly Row[]) => rows.map((r) => String(r.id)).sort();

export function scanCases(s: Test, made: () => MadeStore): void {
  let migrated: Promise<void> | undefined;
  const store = async (): Promise<Store> => {
    migrated ??= made().adapter.migrate(MIGRATIONS);
    await migrated;
    return made().adapter;
  };

  s('scan: an empty table gives no rows and no page state', async () => {
    assert.equal(await (await store()).scan('scan_brief'), { rows: [] });
    assert.equal(await (await store()).scan('scan_brief', { limit: 1 }), { rows: [] });
  });

  s('scan: 23 rows in 6 partitions, 5 at a time, each row exactly once, as get reads it', async () => {
    const adapter = await store();
    await adapter.batch(MANY.map((row) => ({ kind: 'insert', table: 'scan_many', row }) as const));
    const { pages, rows } = await scanAll(adapter, 'scan_many', 5);
    assert.ok(
      pages.every((p) => p.rows.length <= 5),
      `page sizes ${pages.map((p) => p.rows.length).join()}`,
    );
    assert.ok(pages.length >= 5, `${pages.length} pages`);
    assert.equal(ids(rows), ids(MANY));
    for (const row of rows) {
      const key = { tenant: row.tenant, day: row.day, at: row.at, id: row.id };
      assert.equal(row, await adapter.get('scan_many', key));
    }
    const whole = await adapter.scan('scan_many');
    assert.is(whole.pageState, undefined, 'the default limit takes all 23');
    assert.equal(ids(whole.rows), ids(MANY));
  });

  s('scan: a page state resumes the scan on another instance', async () => {
    const first = await (await store()).scan('scan_many', { limit: 7 });
    assert.is(first.rows.length, 7);
    assert.type(first.pageState, 'string');
    const other = await made().reopen();
    try {
      await other.migrate(MIGRATIONS);
      const rest = await scanAll(other, 'scan_many', 7, first.pageState);
      assert.equal(ids([...first.rows, ...rest.rows]), ids(MANY));
    } finally {
      await other.close();
    }
  });

  s('scan: rows whose TTL has passed are not returned', async () => {
    const adapter = await store();
    await adapter.insert('scan_brief', { name: 'a', n: 1, body: 'brief' }, { ttlSeconds: 1 });
    await adapter.insert('scan_brief', { name: 'a', n: 2, body: 'stays' });
    await adapter.update('scan_brief', { name: 'a', n: 3 }, { body: 'brief' }, { ttlSeconds: 1 });
    await adapter.insert('scan_brief', { name: 'b', n: 1, body: 'brief' }, { ttlSeconds: 1 });
    assert.is((await scanAll(adapter, 'scan_brief', 2)).rows.length, 4);
    await sleep(2100);
    assert.equal((await scanAll(adapter, 'scan_brief', 2)).rows, [{ name: 'a', n: 2, body: 'stays' }]);
  });

  s('scan: a garbage page state is STORE.BAD_PAGE_STATE, as for query', async () => {
    const adapter = await store();
    for (const pageState of ['garbage!', 'AAAA', 'zz.zz', 'deadbeef']) {
      const error = await rejection(adapter.scan('scan_many', { limit: 5, pageState }));
      assertAppError(error, 'INVALID', 'STORE.BAD_PAGE_STATE');
    }
  });

  s('scan: an unknown table or a limit out of 1..5000 is an INTERNAL AppError', async () => {
    const adapter = await store();
    assertAppError(await rejection(adapter.scan('nope')), 'INTERNAL', 'STORE.UNKNOWN_TABLE');
    for (const limit of [0, -1, 1.5, 5001]) {
      assertAppError(await rejection(adapter.scan('scan_many', { limit })), 'INTERNAL', 'STORE.BAD_QUERY');
    }
    assert.is((await adapter.scan('scan_many', { limit: 5000 })).rows.length, MANY.length);
  });
}
