import type { SqlRunner } from '../../ports/analytics.ts';
import type { AnnualReportData, BillingReportData } from './pdf/data.ts';

const yearSpan = (year: number) =>
  [new Date(Date.UTC(year, 0, 1)), new Date(Date.UTC(year + 1, 0, 1))] as const;

/** Twelve figures, January first, from rows of (month 1–12, value). */
function byMonth<T>(rows: readonly { m: number }[], value: (row: never) => T, empty: T): T[] {
  const out = Array.from({ length: 12 }, () => empty);
  for (const row of rows) if (row.m >= 1 && row.m <= 12) out[row.m - 1] = value(row as never);
  return out;
}

const MONTH = `extract(month FROM %s AT TIME ZONE 'UTC')::int`;
const month = (column: string) => MONTH.replace('%s', column);

async function tenantName(sql: SqlRunner, tenantId: string): Promise<string> {
  const [row] = await sql.query<{ name: string }>('SELECT name FROM tenants WHERE tenant_id = $1', [
    tenantId,
  ]);
  return row?.name ?? 'Your workspace';
}

/**
 * The annual report's figures, from the read model: POCs created in the year (and not deleted), dojos held
 * in it, the minutes members spent in their live rooms, and the members as the year ended (or today).
 */
export async function annualFigures(
  sql: SqlRunner,
  tenantId: string,
  year: number,
  now: Date,
): Promise<AnnualReportData> {
  const [from, to] = yearSpan(year);
  const asOf = to < now ? to : now;
  const span = [tenantId, from, to];
  const [name, members, pocMonths, languages, tags, favorites, dojos, minutes, recordings] =
    await Promise.all([
      tenantName(sql, tenantId),
      sql.query<{ n: number }>(
        `SELECT count(*) AS n FROM members WHERE tenant_id = $1 AND joined_at < $2 AND (left_at IS NULL OR left_at >= $2)`,
        [tenantId, asOf],
      ),
      sql.query<{ m: number; n: number }>(
        `SELECT ${month('created_at')} AS m, count(*) AS n FROM pocs
       WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3 GROUP BY 1`,
        span,
      ),
      sql.query<{ language: string; n: number }>(
        `SELECT language, count(*) AS n FROM pocs WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3
       GROUP BY language ORDER BY n DESC, language`,
        span,
      ),
      sql.query<{ tag: string; n: number }>(
        `SELECT tag, count(*) AS n FROM pocs, unnest(tags) AS tag
       WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3 GROUP BY tag ORDER BY n DESC, tag LIMIT 10`,
        span,
      ),
      sql.query<{ n: number }>(
        `SELECT count(*) AS n FROM pocs WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3 AND favorite`,
        span,
      ),
      sql.query<{ n: number }>(
        `SELECT count(*) AS n FROM dojos WHERE tenant_id = $1 AND dojo_date >= $2 AND dojo_date < $3`,
        span,
      ),
      sql.query<{ m: number; minutes: number; people: number }>(
        `SELECT ${month('joined_at')} AS m, sum(minutes) AS minutes, count(DISTINCT user_id) AS people
       FROM participations WHERE tenant_id = $1 AND joined_at >= $2 AND joined_at < $3 GROUP BY ROLLUP (1)`,
        span,
      ),
      sql.query<{ n: number }>(
        `SELECT count(*) AS n FROM recordings WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3`,
        span,
      ),
    ]);
  const perMonth = minutes.filter((r) => r.m !== null);
  const total = minutes.find((r) => r.m === null);
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    tenantId,
    tenantName: name,
    year,
    generatedAt: now.toISOString(),
    members: members[0]?.n ?? 0,
    pocs: {
      total: pocMonths.reduce((sum, r) => sum + r.n, 0),
      byMonth: byMonth(pocMonths, (r: { n: number }) => r.n, 0),
      byLanguage: languages.map((r) => ({ language: r.language, count: r.n })),
      topTags: tags.map((r) => ({ tag: r.tag, count: r.n })),
      favorites: favorites[0]?.n ?? 0,
    },
    dojos: {
      total: dojos[0]?.n ?? 0,
      minutes: round(total?.minutes ?? 0),
      participants: total?.people ?? 0,
      recordings: recordings[0]?.n ?? 0,
      minutesByMonth: byMonth(perMonth, (r: { minutes: number }) => round(r.minutes), 0),
    },
  };
}

/** The billing report's figures: what was paid in the year, month by month, what failed, and the plan now. */
export async function billingFigures(
  sql: SqlRunner,
  tenantId: string,
  year: number,
  now: Date,
  fallbackCurrency: string,
): Promise<BillingReportData> {
  const [from, to] = yearSpan(year);
  const span = [tenantId, from, to];
  const [name, paid, failed, subscription] = await Promise.all([
    tenantName(sql, tenantId),
    sql.query<{ m: number; n: number; cents: number; currency: string }>(
      `SELECT ${month('created_at')} AS m, count(*) AS n, sum(total_cents) AS cents, min(currency) AS currency
       FROM payments WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3 AND status = 'SUCCEEDED'
       GROUP BY 1`,
      span,
    ),
    sql.query<{ n: number }>(
      `SELECT count(*) AS n FROM payments WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3 AND status = 'DECLINED'`,
      span,
    ),
    sql.query<{ plan: string; status: string; expires_at: Date | null; auto_renew: boolean }>(
      'SELECT plan, status, expires_at, auto_renew FROM subscriptions WHERE tenant_id = $1',
      [tenantId],
    ),
  ]);
  const sub = subscription[0];
  return {
    tenantId,
    tenantName: name,
    year,
    generatedAt: now.toISOString(),
    currency: paid[0]?.currency ?? fallbackCurrency,
    payments: {
      count: paid.reduce((sum, r) => sum + r.n, 0),
      totalCents: paid.reduce((sum, r) => sum + r.cents, 0),
      byMonth: byMonth(paid, (r: { n: number; cents: number }) => ({ count: r.n, totalCents: r.cents }), {
        count: 0,
        totalCents: 0,
      }),
    },
    failedPayments: failed[0]?.n ?? 0,
    subscription: sub
      ? {
          plan: sub.plan,
          status: sub.status,
          expiresAt: sub.expires_at ? sub.expires_at.toISOString() : null,
          autoRenew: sub.auto_renew,
        }
      : { plan: 'FREE', status: 'ACTIVE', expiresAt: null, autoRenew: false },
  };
}
