import { createSecretKey, randomBytes } from 'node:crypto';
import { DatabaseSync, type SQLOutputValue } from 'node:sqlite';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isAppError } from '../../lib/errors.ts';
import type { Page } from '../../ports/store.ts';
import { tableShape } from '../store-shared/tables.ts';
import { scanPage, type ReadRows } from './keyset.ts';
import { encodePageState, queryFingerprint } from './page-state.ts';
import { TablePlan } from './plan.ts';
import { createTableSql } from './sql.ts';

const shape = tableShape({
  name: 'timeline',
  columns: { tenant: 'text', at: 'timestamp', id: 'text', body: 'text' },
  partitionKey: ['tenant'],
  clusteringKey: [
    { column: 'at', order: 'desc' },
    { column: 'id', order: 'asc' },
  ],
});
const NOW = 1_000_000;

/** A table of 3 partitions × 3 instants × 2 ids, an expired row and one that expires later. */
function timeline(): DatabaseSync {
  const db = new DatabaseSync(':memory:');
  for (const sql of createTableSql(shape)) db.exec(sql);
  const insert = db.prepare(
    'INSERT INTO timeline (tenant, at, id, body, _expires_at) VALUES (?, ?, ?, ?, ?)',
  );
  for (const tenant of ['c', 'a', 'b'])
    for (const at of [2, 1, 3]) for (const id of ['y', 'x']) insert.run(tenant, at, id, 'live', null);
  insert.run('a', 9, 'gone', 'expired', NOW);
  insert.run('b', 9, 'later', 'expires later', NOW + 1);
  return db;
}

test('a scan walks the primary key in b-tree order, seeking to each page and never sorting', () => {
  const db = timeline();
  const plan = new TablePlan(shape);
  const secret = createSecretKey(randomBytes(32));
  const plans: string[] = [];
  const read: ReadRows = (sql, params) => {
    for (const row of db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params)) plans.push(String(row.detail));
    const statement = db.prepare(sql);
    statement.setReturnArrays(true);
    return statement.all(...params) as unknown as SQLOutputValue[][];
  };
  const keys: string[] = [];
  let page: Page | undefined;
  let pages = 0;
  do {
    page = scanPage(plan, secret, read, { pageSize: 4, pageState: page?.pageState }, NOW);
    keys.push(...page.rows.map((r) => `${String(r.tenant)}${(r.at as Date).getTime()}${String(r.id)}`));
    pages++;
  } while (page.pageState !== undefined && pages < 10);
  const expected: string[] = [];
  for (const tenant of ['a', 'b', 'c']) {
    if (tenant === 'b') expected.push('b9later');
    for (const at of [3, 2, 1]) expected.push(`${tenant}${at}x`, `${tenant}${at}y`);
  }
  assert.equal(keys, expected);
  assert.is(pages, 5);
  assert.ok(
    plans.every(
      (p) => /^(SCAN timeline|SEARCH timeline USING PRIMARY KEY)/.test(p) && !/TEMP B-TREE/.test(p),
    ),
    plans.join('\n'),
  );
  assert.is(plans.filter((p) => /^SEARCH /.test(p)).length, 4, 'every page after the first seeks');
});

test("a scan refuses another table's scan, a query's or another secret's page state", () => {
  const db = timeline();
  const plan = new TablePlan(shape);
  const secret = createSecretKey(randomBytes(32));
  const read: ReadRows = (sql, params) => {
    const statement = db.prepare(sql);
    statement.setReturnArrays(true);
    return statement.all(...params) as unknown as SQLOutputValue[][];
  };
  const position = ['a', 3, 'x'];
  const own = encodePageState(secret, queryFingerprint(['timeline', 'scan'], []), position);
  assert.is(scanPage(plan, secret, read, { pageSize: 2, pageState: own }, NOW).rows[0]?.id, 'y');
  for (const pageState of [
    encodePageState(secret, queryFingerprint(['other', 'scan'], []), position),
    encodePageState(secret, queryFingerprint(['timeline', null, [], []], []), position),
    encodePageState(createSecretKey(randomBytes(32)), queryFingerprint(['timeline', 'scan'], []), position),
    encodePageState(secret, queryFingerprint(['timeline', 'scan'], []), ['a', 3]),
  ]) {
    try {
      scanPage(plan, secret, read, { pageSize: 2, pageState }, NOW);
      assert.unreachable('accepted a foreign page state');
    } catch (error) {
      assert.ok(isAppError(error) && error.code === 'STORE.BAD_PAGE_STATE', String(error));
    }
  }
});

test.run();
