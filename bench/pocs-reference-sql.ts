/**
 * The reference server's PostgreSQL side: its schema and indexes, the bulk load of the seeded data, and one
 * statement per request. Each write records its fact in an `outbox` table in the same statement (a CTE), as
 * ours records a POC event for the reporting read model with every write.
 *
 * Indexes, what a competent engineer would add for these queries (btree_gin lets a GIN index lead with the
 * user, so a tag or trigram lookup reads one user's postings, not every user's):
 * - btree (user_id, created desc, id): the listing, the keyset, and any filter over a small partition;
 * - btree (user_id, lower(language), created desc, id): language, and language + tag;
 * - GIN (user_id, tags): one or more tags (`tags @> $`);
 * - GIN (user_id, lower(name) gin_trgm_ops) (pg_trgm): name substrings (`lower(name) like '%…%'`);
 * both GIN indexes without the pending list (`fastupdate = off`), as a read-mostly, latency-bound service wants.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { pocBody } from './pocs-mix.ts';

export interface Row {
  id: string;
  name: string;
  language: string;
  tags: string[];
  repo_url: string;
  description: string;
  favorite: boolean;
  created: Date;
  updated: Date;
}

export interface Owner {
  readonly userId: string;
  readonly tenantId: string;
}

export const COLUMNS = 'id, name, language, tags, repo_url, description, favorite, created, updated';
const INSERT_COLUMNS = `id, tenant_id, user_id, ${COLUMNS.slice('id, '.length)}`;

export async function createSchema(db: pg.Pool): Promise<void> {
  await db.query('create extension if not exists pg_trgm');
  await db.query('create extension if not exists btree_gin');
  await db.query(
    `create table pocs (id uuid primary key, tenant_id uuid not null, user_id uuid not null, name text not null,
      language text not null, tags text[] not null, repo_url text not null, description text not null,
      favorite boolean not null, created timestamptz not null, updated timestamptz not null)`,
  );
  await db.query(
    `create table outbox (event_id uuid primary key, tenant_id uuid not null, type text not null,
      at timestamptz not null, data jsonb not null)`,
  );
}

/** Loads user `u`'s POCs from the seeded generator in one INSERT; POC i is older than POC i + 1. */
export async function loadUser(
  db: pg.Pool,
  o: { seed: number; pocsPerUser: number },
  u: number,
  owner: Owner,
  base: number,
): Promise<string[]> {
  const values: unknown[] = [];
  const rows: string[] = [];
  const ids: string[] = [];
  for (let i = 0; i < o.pocsPerUser; i++) {
    const b = pocBody(o.seed, u, i);
    const id = randomUUID();
    const created = new Date(base + i * 60_000 + u);
    ids.push(id);
    values.push(id, owner.tenantId, owner.userId, b.name, b.language, b.tags, b.repoUrl, b.description);
    values.push(b.favorite, created, created);
    rows.push(`(${Array.from({ length: 11 }, (_, k) => `$${values.length - 10 + k}`).join(', ')})`);
  }
  await db.query(`insert into pocs (${INSERT_COLUMNS}) values ${rows.join(', ')}`, values);
  return ids;
}

export async function createIndexes(db: pg.Pool): Promise<void> {
  await db.query('create index pocs_user_created on pocs (user_id, created desc, id)');
  await db.query('create index pocs_user_language on pocs (user_id, lower(language), created desc, id)');
  // fastupdate off: with it on, writes queue their GIN entries in a pending list that every tag and name
  // lookup scans whole (all users' entries) until a vacuum merges it, so the reference slowed down round
  // after round of this write-heavy mix (its database CPU per request 382 → 936 µs in three rounds).
  await db.query('create index pocs_user_tags on pocs using gin (user_id, tags) with (fastupdate = off)');
  await db.query(
    'create index pocs_user_name_trgm on pocs using gin (user_id, lower(name) gin_trgm_ops) with (fastupdate = off)',
  );
  await db.query('analyze pocs');
}

export interface Fields {
  name?: string;
  language?: string;
  tags?: string[];
  repo_url?: string;
  description?: string;
  favorite?: boolean;
}

/** The fact of a write, recorded beside it: the row as it now is (or was, for a delete). */
const outbox = (type: string, at: string) =>
  `e as (insert into outbox (event_id, tenant_id, type, at, data)
         select gen_random_uuid(), tenant_id, '${type}', ${at}, to_jsonb(p) from p)`;

export const createStatement = (owner: Owner, f: Fields, now: Date): pg.QueryConfig => ({
  name: 'create',
  text: `with p as (insert into pocs (${INSERT_COLUMNS})
                    values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) returning *),
         ${outbox('poc.created', '$10')}
         select ${COLUMNS} from p`,
  values: [
    randomUUID(),
    owner.tenantId,
    owner.userId,
    f.name,
    f.language,
    f.tags ?? [],
    f.repo_url,
    f.description ?? '',
    f.favorite ?? false,
    now,
  ],
});

export const patchStatement = (owner: Owner, id: string, f: Fields, now: Date): pg.QueryConfig => ({
  name: 'patch',
  text: `with p as (update pocs set name = coalesce($3, name), language = coalesce($4, language),
                      tags = coalesce($5, tags), repo_url = coalesce($6, repo_url),
                      description = coalesce($7, description), favorite = coalesce($8, favorite), updated = $9
                    where id = $1 and user_id = $2 returning *),
         ${outbox('poc.updated', '$9')}
         select ${COLUMNS} from p`,
  values: [id, owner.userId, f.name, f.language, f.tags, f.repo_url, f.description, f.favorite, now],
});

export const favoriteStatement = (owner: Owner, id: string, favorite: boolean): pg.QueryConfig => ({
  name: 'favorite',
  text: `with p as (update pocs set updated = case when favorite = $3 then updated else now() end,
                      favorite = $3
                    where id = $1 and user_id = $2 returning *),
         ${outbox('poc.favourited', 'now()')}
         select ${COLUMNS} from p`,
  values: [id, owner.userId, favorite],
});

export const getStatement = (owner: Owner, id: string): pg.QueryConfig => ({
  name: 'get',
  text: `select ${COLUMNS} from pocs where id = $1 and user_id = $2`,
  values: [id, owner.userId],
});

export const deleteStatement = (owner: Owner, id: string): pg.QueryConfig => ({
  name: 'delete',
  text: `with p as (delete from pocs where id = $1 and user_id = $2 returning *),
         ${outbox('poc.deleted', 'now()')}
         select id from p`,
  values: [id, owner.userId],
});
