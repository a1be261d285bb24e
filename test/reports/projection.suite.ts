import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { DomainEvent } from '../../server/capabilities.ts';
import { project } from '../../server/modules/reports/projector.ts';
import { READ_MODEL_MIGRATIONS } from '../../server/modules/reports/read-model.ts';
import type { Analytics, SqlRunner } from '../../server/ports/analytics.ts';
import { rng } from '../support/random.ts';
import { dumpTables, eventStream } from './events.ts';

export interface AnalyticsMaker {
  readonly label: string;
  make(): Promise<Analytics>;
}

/** The same events delivered as a consumer may see them: in batches, some twice, tenants interleaved. */
function deliveries(events: readonly DomainEvent[], seed: number): DomainEvent[][] {
  const rand = rng(seed);
  const batches: DomainEvent[][] = [];
  let i = 0;
  while (i < events.length) {
    const size = 1 + Math.floor(rand() * 300);
    batches.push(events.slice(i, i + size));
    // Sometimes the consumer dies after the commit of a batch and before its offset: the batch comes again.
    if (rand() < 0.2) batches.push(events.slice(Math.max(0, i - 50), i + size));
    i += size;
  }
  return batches;
}

/** An analytics whose transactions fail at their `n`-th statement, once: a crash in the middle of a batch. */
function failingOnce(db: Analytics, n: number): Analytics {
  let armed = true;
  return {
    ...db,
    name: db.name,
    query: (sql, params) => db.query(sql, params),
    migrate: (m) => db.migrate(m),
    health: () => db.health(),
    close: () => db.close(),
    transaction: (fn) =>
      db.transaction((tx) => {
        let count = 0;
        const wrapped: SqlRunner = {
          query: (sql, params) => {
            if (armed && ++count === n) {
              armed = false;
              throw new Error('the projector died here');
            }
            return tx.query(sql, params);
          },
        };
        return fn(wrapped);
      }),
  };
}

export function projectionSuite(maker: AnalyticsMaker): void {
  const s = suite(`reports: the projector (${maker.label})`);
  const events = eventStream(7, 4000);
  let reference: Record<string, unknown[]>;

  s.before(async () => {
    const db = await maker.make();
    await db.migrate(READ_MODEL_MIGRATIONS);
    await project(db, events);
    reference = await dumpTables(db);
    await db.close();
  });

  s('the stream exercises every table', () => {
    for (const [table, rows] of Object.entries(reference)) {
      if (table !== 'recordings') assert.ok(rows.length > 0, `${table} is empty`);
    }
  });

  s('in batches, with redeliveries: the same tables as one pass', async () => {
    const db = await maker.make();
    try {
      await db.migrate(READ_MODEL_MIGRATIONS);
      for (const batch of deliveries(events, 11)) await project(db, batch);
      assert.equal(await dumpTables(db), reference);
    } finally {
      await db.close();
    }
  });

  s('a batch that dies half-way leaves nothing, and its retry gives the same tables', async () => {
    const db = await maker.make();
    try {
      await db.migrate(READ_MODEL_MIGRATIONS);
      const flaky = failingOnce(db, 4);
      const batches = deliveries(events, 13);
      for (const batch of batches.slice(0, 5)) await project(db, batch);
      const before = await dumpTables(db);
      const dying = batches[5] ?? [];
      await project(flaky, dying).then(
        () => assert.unreachable('the batch was meant to fail'),
        (e: Error) => assert.match(e.message, 'died here'),
      );
      assert.equal(await dumpTables(db), before, 'nothing of the failed batch is visible');
      for (const batch of batches.slice(5)) await project(flaky, batch);
      assert.equal(await dumpTables(db), reference);
    } finally {
      await db.close();
    }
  });

  s('a replayed stream changes nothing', async () => {
    const db = await maker.make();
    try {
      await db.migrate(READ_MODEL_MIGRATIONS);
      await project(db, events);
      assert.is(await project(db, events), 0, 'every event is known');
      assert.equal(await dumpTables(db), reference);
    } finally {
      await db.close();
    }
  });

  s.run();
}
