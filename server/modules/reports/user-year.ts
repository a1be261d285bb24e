import type { UserYear } from '../../capabilities.ts';
import type { SqlRunner } from '../../ports/analytics.ts';

/** One user's year from the read model: their POCs (as they stand now) and the dojos they took part in. */
export async function userYear(
  sql: SqlRunner,
  tenantId: string,
  userId: string,
  year: number,
): Promise<UserYear> {
  const from = new Date(Date.UTC(year, 0, 1));
  const to = new Date(Date.UTC(year + 1, 0, 1));
  const span = [tenantId, userId, from, to];
  const mine = 'tenant_id = $1 AND user_id = $2 AND created_at >= $3 AND created_at < $4';
  const [months, languages, tags, favorites, dojos] = await Promise.all([
    sql.query<{ m: number; n: number }>(
      `SELECT extract(month FROM created_at AT TIME ZONE 'UTC')::int AS m, count(*) AS n FROM pocs WHERE ${mine} GROUP BY 1`,
      span,
    ),
    sql.query<{ language: string; n: number }>(
      `SELECT language, count(*) AS n FROM pocs WHERE ${mine} GROUP BY language ORDER BY n DESC, language LIMIT 5`,
      span,
    ),
    sql.query<{ tag: string; n: number }>(
      `SELECT tag, count(*) AS n FROM pocs, unnest(tags) AS tag WHERE ${mine} GROUP BY tag ORDER BY n DESC, tag LIMIT 8`,
      span,
    ),
    sql.query<{ name: string; language: string }>(
      `SELECT name, language FROM pocs WHERE ${mine} AND favorite ORDER BY created_at DESC LIMIT 5`,
      span,
    ),
    sql.query<{ dojos: number; minutes: number | null }>(
      `SELECT count(DISTINCT dojo_id) AS dojos, sum(minutes) AS minutes FROM participations
       WHERE tenant_id = $1 AND user_id = $2 AND joined_at >= $3 AND joined_at < $4`,
      span,
    ),
  ]);
  const byMonth = Array.from({ length: 12 }, () => 0);
  for (const r of months) if (r.m >= 1 && r.m <= 12) byMonth[r.m - 1] = r.n;
  return {
    pocs: {
      total: byMonth.reduce((a, b) => a + b, 0),
      byMonth,
      languages: languages.map((r) => ({ language: r.language, count: r.n })),
      tags: tags.map((r) => ({ tag: r.tag, count: r.n })),
      favorites: favorites.map((r) => ({ name: r.name, language: r.language })),
    },
    dojos: { attended: dojos[0]?.dojos ?? 0, minutes: Math.round((dojos[0]?.minutes ?? 0) * 10) / 10 },
  };
}
