import pg from 'pg';
import { suite } from 'uvu';
import { loadConfig } from '../../config/index.ts';
import * as assert from 'uvu/assert';
import {
  createPostgresAnalytics,
  type PostgresAnalytics,
} from '../../server/adapters/analytics-postgres/index.ts';
import { isAppError } from '../../server/lib/errors.ts';
import { silentLogger } from '../../server/lib/log.ts';
import type { Analytics } from '../../server/ports/analytics.ts';
import { realService, uniqueName } from '../support/services.ts';
import { analyticsContract } from './analytics.contract.ts';

const env = realService('postgres', 'analytics-postgres');
if (env) {
  const postgres = loadConfig(env).postgres;
  if (!postgres) throw new Error('POSTGRES_URL did not produce a postgres config');
  // POSTGRES_SCHEMA is not used: every adapter here works in a schema of its own.
  const { url } = postgres;
  const open = (schema: string, more: { statementTimeoutMs?: number } = {}) =>
    createPostgresAnalytics({ url, schema, logger: silentLogger(), ...more });

  /** Runs SQL outside any adapter: to drop the test schemas, to terminate a backend. */
  const admin = async (sql: string, params: unknown[] = []) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as Record<string, unknown>[];
    } finally {
      await client.end();
    }
  };
  const dropSchemas = (schemas: Iterable<string>) =>
    Promise.all([...schemas].map((schema) => admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)));

  // Every adapter works in a schema of its own, dropped after the run.
  analyticsContract('analytics-postgres', async () => {
    const schemas = new Map<Analytics, string>();
    const made = async (schema: string) => {
      const analytics = await open(schema);
      schemas.set(analytics, schema);
      return analytics;
    };
    const adapter = await made(uniqueName('analytics_test'));
    return {
      adapter,
      shared: true,
      fresh: () => made(uniqueName('analytics_test')),
      again: async (first) => {
        const schema = schemas.get(first);
        if (!schema) throw new Error('again() takes an adapter made by fresh()');
        return made(schema);
      },
      cleanup: async () => {
        await Promise.all([...schemas.keys()].map((a) => a.close()));
        await dropSchemas(new Set(schemas.values()));
      },
    };
  });

  const s = suite('analytics-postgres: schema, timeouts, lost connections');
  const schemas: string[] = [];
  const scoped = async (more: { statementTimeoutMs?: number } = {}): Promise<PostgresAnalytics> => {
    const schema = uniqueName('analytics_test');
    schemas.push(schema);
    return open(schema, more);
  };
  s.after(async () => {
    await dropSchemas(schemas);
  });

  s('tables are created in the schema the adapter was given', async () => {
    const analytics = await scoped();
    try {
      await analytics.migrate([{ id: '0001_here', sql: 'CREATE TABLE here (n int)' }]);
      const rows = await admin(
        `SELECT table_schema AS s FROM information_schema.tables WHERE table_name IN ('here', 'analytics_migrations')`,
      );
      assert.equal(rows.map((r) => r.s).filter((s) => s === schemas.at(-1)).length, 2);
    } finally {
      await analytics.close();
    }
  });

  s('a server that is not there fails with a retriable ANALYTICS.UNAVAILABLE', async () => {
    const error = await createPostgresAnalytics({
      url: 'postgres://postgres@127.0.0.1:1/postgres',
      logger: silentLogger(),
      connectTimeoutMs: 500,
    }).then(
      async (a) => {
        await a.close();
        return undefined;
      },
      (e: unknown) => e,
    );
    assert.ok(isAppError(error) && error.code === 'ANALYTICS.UNAVAILABLE' && error.retriable, String(error));
  });

  s('a connection lost mid-query is a retriable ANALYTICS.UNAVAILABLE, and the pool recovers', async () => {
    const analytics = await scoped();
    try {
      const sleeping = analytics.query('SELECT pg_sleep(10)').then(
        () => undefined,
        (e: unknown) => e,
      );
      let killed = 0;
      for (let i = 0; i < 100 && killed === 0; i++) {
        const rows = await admin(
          `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
           WHERE application_name = 'dojo-analytics' AND query = 'SELECT pg_sleep(10)' AND state = 'active'`,
        );
        killed = rows.length;
        if (killed === 0) await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(killed > 0, 'the sleeping backend was found');
      const error = await sleeping;
      assert.ok(
        isAppError(error) && error.code === 'ANALYTICS.UNAVAILABLE' && error.retriable,
        String(error),
      );
      await analytics.health();
    } finally {
      await analytics.close();
    }
  });

  s('a statement past statement_timeout is a retriable ANALYTICS.TIMEOUT', async () => {
    const analytics = await scoped({ statementTimeoutMs: 100 });
    try {
      const error = await analytics.query('SELECT pg_sleep(2)').catch((e: unknown) => e);
      assert.ok(isAppError(error) && error.code === 'ANALYTICS.TIMEOUT' && error.retriable, String(error));
    } finally {
      await analytics.close();
    }
  });

  s.run();
}
