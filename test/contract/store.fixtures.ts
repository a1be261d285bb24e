import { pino } from 'pino';
import * as assert from 'uvu/assert';
import { isAppError, type ErrorKind } from '../../server/lib/errors.ts';
import type { Logger } from '../../server/lib/log.ts';
import type { Migration, Row } from '../../server/ports/store.ts';

/** A logger for the adapters under test that records which migrations they report applying. */
export function migrationLog(): { logger: Logger; applied(): string[] } {
  const applied: string[] = [];
  const logger = pino(
    { level: 'info' },
    {
      write: (line: string) => {
        const entry = JSON.parse(line) as { migration?: unknown };
        if (typeof entry.migration === 'string') applied.push(entry.migration);
      },
    },
  );
  return { logger, applied: () => [...applied] };
}

/** All test tables come from one migration: Cassandra on two cores is slow at DDL. */
export const TABLES: Migration = {
  id: '0001_contract_tables',
  createTables: [
    {
      name: 'kinds',
      columns: {
        id: 'text',
        t: 'text',
        u: 'uuid',
        ts: 'timestamp',
        i: 'int',
        b: 'bigint',
        d: 'double',
        flag: 'boolean',
        bin: 'blob',
        tags: 'set<text>',
        items: 'list<text>',
        attrs: 'map<text,text>',
        doc: 'json',
      },
      partitionKey: ['id'],
    },
    { name: 'claims', columns: { name: 'text', owner: 'text', version: 'int' }, partitionKey: ['name'] },
    {
      name: 'events',
      columns: { stream: 'text', seq: 'int', body: 'text' },
      partitionKey: ['stream'],
      clusteringKey: [{ column: 'seq', order: 'asc' }],
    },
    {
      name: 'timeline',
      columns: { tenant: 'text', day: 'text', at: 'timestamp', id: 'text', body: 'text' },
      partitionKey: ['tenant', 'day'],
      clusteringKey: [
        { column: 'at', order: 'desc' },
        { column: 'id', order: 'asc' },
      ],
    },
  ],
};
export const ADD_COLUMN: Migration = {
  id: '0002_contract_note',
  addColumns: [{ table: 'claims', columns: { note: 'text' } }],
};

export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => assert.unreachable('expected a rejection'),
    (e: unknown) => e,
  );
}

export function assertAppError(error: unknown, kind: ErrorKind, code?: string): void {
  assert.ok(isAppError(error), `expected an AppError, got ${String(error)}`);
  assert.is(error.kind, kind, `kind of ${error.code}: ${error.message}`);
  if (code) assert.is(error.code, code);
}

export const seqs = (rows: readonly Row[]) => rows.map((r) => r.seq);
