/**
 * Analytics on a PostgreSQL server through a small node-postgres pool, shared by every node. Each
 * connection gets the search_path of `schema` (when given) and server-side statement and idle-transaction
 * timeouts, so a runaway report or a forgotten transaction cannot hold a connection for good.
 */
import pg from 'pg';
import type { Logger } from '../../lib/log.ts';
import type { Analytics, AnalyticsMigration, SqlRunner } from '../../ports/analytics.ts';
import {
  applyMigrations,
  closedError,
  scopedRunner,
  TransactionScope,
  type MigrationTx,
} from '../analytics-shared/index.ts';
import { mapPgError, run, types } from './driver.ts';

export interface PostgresAnalyticsOptions {
  /** config.postgres.url, e.g. `postgres://user@host:5432/db`. */
  readonly url: string;
  readonly logger: Logger;
  /** A schema of its own (`[a-z_][a-z0-9_]*`), created if missing and put first on the search_path. */
  readonly schema?: string;
  /** Pool size; reports are few and heavy, so a handful of connections per node is plenty. */
  readonly max?: number;
  readonly statementTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
  readonly name?: string;
}

const SCHEMA = /^[a-z_][a-z0-9_]*$/;

export class PostgresAnalytics implements Analytics {
  readonly name: string;
  readonly #pool: pg.Pool;
  readonly #logger: Logger;
  readonly #scope = new TransactionScope();
  #closing: Promise<void> | undefined;

  constructor(options: PostgresAnalyticsOptions) {
    if (options.schema !== undefined && !SCHEMA.test(options.schema)) {
      throw new Error(`analytics schema "${options.schema}" is not [a-z_][a-z0-9_]*`);
    }
    this.name = options.name ?? 'analytics-postgres';
    this.#logger = options.logger;
    this.#pool = new pg.Pool({
      connectionString: options.url,
      max: options.max ?? 4,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      idleTimeoutMillis: 30_000,
      statement_timeout: options.statementTimeoutMs ?? 30_000,
      idle_in_transaction_session_timeout: 60_000,
      application_name: 'dojo-analytics',
      types,
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    });
    // Without a listener a connection that dies (idle, or checked out) would crash the process.
    this.#pool.on('error', (error) => this.#logger.warn({ err: error }, 'analytics idle connection lost'));
    this.#pool.on('connect', (client) =>
      client.on('error', (error) => this.#logger.warn({ err: error }, 'analytics connection lost')),
    );
  }

  async query<R extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<R[]> {
    this.#scope.refuseInside();
    if (this.#closing) throw closedError();
    return (await run<R>(this.#pool, sql, params)).rows;
  }

  transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T> {
    return this.#transaction((client) => {
      const { runner, end } = scopedRunner(async (sql, params) => (await run(client, sql, params)).rows);
      return this.#scope.run(() => fn(runner)).finally(end);
    });
  }

  migrate(migrations: readonly AnalyticsMigration[]): Promise<void> {
    return applyMigrations(
      migrations,
      (fn) =>
        this.#transaction((client) => {
          const tx: MigrationTx = {
            query: async (sql, params) => (await run(client, sql, params)).rows,
            // No parameters, so node-postgres uses the simple protocol, which allows several statements.
            exec: async (sql) => {
              await client.query(sql).catch((error: unknown) => Promise.reject(mapPgError(error)));
            },
          };
          return fn(tx);
        }),
      this.#logger,
    );
  }

  async health(): Promise<void> {
    await this.query('SELECT 1');
  }

  close(): Promise<void> {
    this.#closing ??= this.#pool.end().catch((error: unknown) => {
      this.#logger.warn({ err: error }, 'analytics pool did not end cleanly');
    });
    return this.#closing;
  }

  /** Creates the schema (under a lock: two nodes' CREATE SCHEMA IF NOT EXISTS can still collide). */
  async ensureSchema(schema: string): Promise<void> {
    await this.#transaction(async (client) => {
      await run(client, `SELECT pg_advisory_xact_lock(hashtext('dojo.analytics_schema.' || $1))`, [schema]);
      await run(client, `CREATE SCHEMA IF NOT EXISTS ${schema}`);
    });
  }

  async #transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    this.#scope.refuseInside();
    if (this.#closing) throw closedError();
    const client = await this.#pool.connect().catch((error: unknown) => Promise.reject(mapPgError(error)));
    let broken: Error | undefined;
    try {
      await run(client, 'BEGIN');
      const result = await fn(client);
      const commit = await run(client, 'COMMIT');
      // PostgreSQL answers COMMIT of a transaction an error aborted with ROLLBACK, not with an error.
      if (commit.command === 'ROLLBACK') throw new Error('the transaction was aborted by an earlier error');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((e: unknown) => (broken = e as Error));
      throw error;
    } finally {
      client.release(broken);
    }
  }
}

/** Connects (creating the schema if one is given) and answers once the database serves requests. */
export async function createPostgresAnalytics(options: PostgresAnalyticsOptions): Promise<PostgresAnalytics> {
  const analytics = new PostgresAnalytics(options);
  try {
    if (options.schema) await analytics.ensureSchema(options.schema);
    await analytics.health();
    return analytics;
  } catch (error) {
    await analytics.close();
    throw error;
  }
}
