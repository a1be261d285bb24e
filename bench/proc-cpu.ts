/** The PostgreSQL processes that serve one database, to charge the reference server's database its CPU. */
import pg from 'pg';

const PG = {
  host: process.env.PGHOST ?? '127.0.0.1',
  port: Number(process.env.PGPORT ?? 5432),
  user: process.env.PGUSER ?? 'postgres',
};

export async function postgresPids(database: string): Promise<number[]> {
  const admin = new pg.Client({ ...PG, database: 'postgres' });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ pid: number }>(
      `select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()
         or backend_type in ('walwriter', 'checkpointer', 'background writer')`,
      [database],
    );
    return rows.map((r) => r.pid);
  } finally {
    await admin.end();
  }
}
