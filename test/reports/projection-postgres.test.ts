import pg from 'pg';
import { createPostgresAnalytics } from '../../server/adapters/analytics-postgres/index.ts';
import { silentLogger } from '../../server/lib/log.ts';
import { realService, uniqueName } from '../support/services.ts';
import { projectionSuite } from './projection.suite.ts';

const service = realService('postgres', 'reports projector on real PostgreSQL');
if (service?.POSTGRES_URL) {
  const url = service.POSTGRES_URL;
  const schemas: string[] = [];
  projectionSuite({
    label: 'PostgreSQL',
    make: async () => {
      const schema = uniqueName('proj');
      schemas.push(schema);
      const db = await createPostgresAnalytics({ url, logger: silentLogger(), schema });
      return {
        ...db,
        name: db.name,
        query: (sql, params) => db.query(sql, params),
        transaction: (fn) => db.transaction(fn),
        migrate: (m) => db.migrate(m),
        health: () => db.health(),
        close: async () => {
          await db.close();
          const client = new pg.Client({ connectionString: url });
          await client.connect();
          await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
          await client.end();
        },
      };
    },
  });
}
