import type { AnalyticsMigration } from '../../ports/analytics.ts';

/**
 * The reporting read model in PostgreSQL (or PGlite): the current state of each fact, one row per thing
 * (a POC, a dojo, a participation, a payment), indexed by tenant and time so a report is a handful of
 * GROUP BY … month queries. Rows rather than running totals: an event replayed, redelivered or reordered
 * cannot count twice, because applying one is an upsert of the thing it describes (guarded by its version
 * where things change), and `processed_events` keeps a batch from even trying twice.
 */
export const READ_MODEL_MIGRATIONS: readonly AnalyticsMigration[] = [
  {
    id: '0100_read_model',
    sql: `
      CREATE TABLE processed_events (event_id uuid PRIMARY KEY, at timestamptz NOT NULL);
      CREATE TABLE tenants (tenant_id uuid PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL);
      CREATE TABLE members (
        tenant_id uuid NOT NULL, user_id uuid NOT NULL, role text NOT NULL,
        joined_at timestamptz NOT NULL, left_at timestamptz,
        PRIMARY KEY (tenant_id, user_id)
      );
      CREATE TABLE pocs (
        poc_id uuid PRIMARY KEY, tenant_id uuid NOT NULL, user_id uuid NOT NULL,
        language text NOT NULL, tags text[] NOT NULL, favorite boolean NOT NULL,
        created_at timestamptz NOT NULL, version bigint NOT NULL
      );
      CREATE INDEX pocs_by_tenant ON pocs (tenant_id, created_at);
      CREATE TABLE poc_tombstones (poc_id uuid PRIMARY KEY, version bigint NOT NULL);
      CREATE TABLE dojos (
        dojo_id uuid PRIMARY KEY, tenant_id uuid NOT NULL, host_id uuid NOT NULL,
        dojo_date timestamptz NOT NULL, created_at timestamptz NOT NULL,
        started_at timestamptz, ended_at timestamptz
      );
      CREATE INDEX dojos_by_tenant ON dojos (tenant_id, dojo_date);
      CREATE TABLE participations (
        participation_id uuid PRIMARY KEY, tenant_id uuid NOT NULL, dojo_id uuid NOT NULL, user_id uuid NOT NULL,
        joined_at timestamptz NOT NULL, minutes double precision NOT NULL
      );
      CREATE INDEX participations_by_tenant ON participations (tenant_id, joined_at);
      CREATE TABLE recordings (
        recording_id uuid PRIMARY KEY, tenant_id uuid NOT NULL, dojo_id uuid NOT NULL, created_at timestamptz NOT NULL
      );
      CREATE TABLE payments (
        payment_id uuid PRIMARY KEY, tenant_id uuid NOT NULL, created_at timestamptz NOT NULL,
        kind text NOT NULL, plan text NOT NULL, total_cents bigint NOT NULL, currency text NOT NULL, status text NOT NULL
      );
      CREATE INDEX payments_by_tenant ON payments (tenant_id, created_at);
      CREATE TABLE subscriptions (
        tenant_id uuid PRIMARY KEY, plan text NOT NULL, status text NOT NULL,
        expires_at timestamptz, auto_renew boolean NOT NULL, version bigint NOT NULL
      );
    `,
  },
  {
    id: '0110_reports',
    sql: `
      CREATE TABLE reports (
        report_id uuid PRIMARY KEY, tenant_id uuid NOT NULL, requested_by uuid NOT NULL,
        type text NOT NULL, year int NOT NULL, status text NOT NULL, progress int NOT NULL DEFAULT 0,
        files jsonb NOT NULL DEFAULT '{}'::jsonb, reason text, attempts int NOT NULL DEFAULT 0,
        created timestamptz NOT NULL, updated timestamptz NOT NULL
      );
      CREATE INDEX reports_by_tenant ON reports (tenant_id, created DESC, report_id);
      CREATE UNIQUE INDEX reports_one_running ON reports (tenant_id, type, year)
        WHERE status IN ('QUEUED', 'RUNNING');
    `,
  },
  {
    id: '0120_poc_names',
    // The year-in-review video names a user's favourite POCs.
    sql: `ALTER TABLE pocs ADD COLUMN name text NOT NULL DEFAULT '';
          CREATE INDEX pocs_by_user ON pocs (user_id, created_at);
          CREATE INDEX participations_by_user ON participations (user_id, joined_at);`,
  },
];

/** The read model's tables that the projection and the backfill must agree on (the test compares them). */
export const PROJECTED_TABLES = [
  'tenants',
  'members',
  'pocs',
  'dojos',
  'participations',
  'recordings',
  'payments',
  'subscriptions',
] as const;
