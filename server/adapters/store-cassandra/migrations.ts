/**
 * Versioned schema changes for Cassandra. Several app nodes may boot at once, so the one that applies
 * migrations first takes a lease (an LWT row with a TTL, renewed after each migration); the others wait
 * for it and then find nothing left to do. DDL is idempotent (IF NOT EXISTS, "already exists" ignored) so
 * a node that died mid-migration leaves nothing a retry cannot finish.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import cassandra from 'cassandra-driver';
import { AppError, unavailable } from '../../lib/errors.ts';
import type { Logger } from '../../lib/log.ts';
import type { Migration } from '../../ports/store.ts';
import { orderMigrations, tableShape } from '../store-shared/tables.ts';
import { addColumnCql, createTableCql, quote, tableRef } from './cql.ts';

const { localQuorum, localSerial } = cassandra.types.consistencies;
const LOCK_NAME = 'schema';
const LEASE_SECONDS = 60;

export interface MigrationRunner {
  readonly keyspace: string;
  readonly logger: Logger;
  /** Runs a statement with retries for transient failures and AppError wrapping. */
  execute(
    cql: string,
    params: unknown[],
    options: cassandra.QueryOptions,
    idempotent: boolean,
  ): Promise<cassandra.types.ResultSet>;
  waitForSchemaAgreement(): Promise<void>;
  /** How long to wait for another node's migrations before giving up. */
  readonly lockWaitMs: number;
}

const DDL_OPTIONS: cassandra.QueryOptions = { prepare: false, readTimeout: 120_000 };
const WRITE: cassandra.QueryOptions = {
  prepare: true,
  consistency: localQuorum,
  serialConsistency: localSerial,
};

export const bookkeepingCql = (keyspace: string): string[] => [
  `CREATE TABLE IF NOT EXISTS ${tableRef(keyspace, 'schema_migrations')} (id text PRIMARY KEY, applied_at timestamp)`,
  `CREATE TABLE IF NOT EXISTS ${tableRef(keyspace, 'migration_lock')} (name text PRIMARY KEY, owner text)`,
];

async function appliedIds(runner: MigrationRunner): Promise<Set<string>> {
  const result = await runner.execute(
    `SELECT id FROM ${tableRef(runner.keyspace, 'schema_migrations')}`,
    [],
    { prepare: true, consistency: localQuorum, fetchSize: 10_000 },
    true,
  );
  return new Set(result.rows.map((row) => String(row.get('id'))));
}

async function ddl(runner: MigrationRunner, cql: string): Promise<void> {
  try {
    await runner.execute(cql, [], DDL_OPTIONS, true);
  } catch (error) {
    const cause = error instanceof AppError ? error.cause : error;
    if (!/already exist/i.test(String((cause as Error | undefined)?.message))) throw error;
  }
}

async function apply(runner: MigrationRunner, migration: Migration): Promise<void> {
  for (const def of migration.createTables ?? [])
    await ddl(runner, createTableCql(runner.keyspace, tableShape(def)));
  for (const add of migration.addColumns ?? []) {
    for (const [column, type] of Object.entries(add.columns)) {
      await ddl(runner, addColumnCql(runner.keyspace, add.table, column, type));
    }
  }
  await runner.waitForSchemaAgreement();
  await runner.execute(
    `INSERT INTO ${tableRef(runner.keyspace, 'schema_migrations')} (id, applied_at) VALUES (?, ?)`,
    [migration.id, new Date()],
    WRITE,
    true,
  );
  runner.logger.info({ migration: migration.id }, 'store migration applied');
}

async function withLease<T>(
  runner: MigrationRunner,
  work: (renew: () => Promise<void>) => Promise<T>,
): Promise<T> {
  const lock = tableRef(runner.keyspace, 'migration_lock');
  const owner = randomUUID();
  const deadline = Date.now() + runner.lockWaitMs;
  for (;;) {
    const taken = await runner.execute(
      `INSERT INTO ${lock} (name, owner) VALUES (?, ?) IF NOT EXISTS USING TTL ${LEASE_SECONDS}`,
      [LOCK_NAME, owner],
      WRITE,
      false,
    );
    if (taken.rows[0]?.get('[applied]') === true) break;
    if (Date.now() > deadline) {
      throw unavailable('STORE.MIGRATION_LOCKED', 'Another node holds the schema migration lock');
    }
    runner.logger.info(
      { holder: taken.rows[0]?.get('owner') },
      'waiting for another node to finish migrating',
    );
    await sleep(1000);
  }
  const renew = async () => {
    const renewed = await runner.execute(
      `UPDATE ${lock} USING TTL ${LEASE_SECONDS} SET ${quote('owner')} = ? WHERE name = ? IF ${quote('owner')} = ?`,
      [owner, LOCK_NAME, owner],
      WRITE,
      false,
    );
    if (renewed.rows[0]?.get('[applied]') !== true) {
      throw unavailable('STORE.MIGRATION_LOCK_LOST', 'The schema migration lease expired while migrating');
    }
  };
  try {
    return await work(renew);
  } finally {
    await runner
      .execute(
        `DELETE FROM ${lock} WHERE name = ? IF ${quote('owner')} = ?`,
        [LOCK_NAME, owner],
        WRITE,
        false,
      )
      .catch((error: unknown) => runner.logger.warn({ err: error }, 'could not release the migration lock'));
  }
}

/** Applies, in id order, the migrations not yet recorded in schema_migrations. */
export async function runMigrations(
  runner: MigrationRunner,
  migrations: readonly Migration[],
): Promise<void> {
  const ordered = orderMigrations(migrations);
  const done = await appliedIds(runner);
  if (ordered.every((m) => done.has(m.id))) return;
  await withLease(runner, async (renew) => {
    const applied = await appliedIds(runner);
    for (const migration of ordered) {
      if (applied.has(migration.id)) continue;
      await apply(runner, migration);
      await renew();
    }
  });
}
