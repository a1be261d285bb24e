/**
 * The reference the realistic POC bench compares us with: what a competent engineer would write without our
 * stack. Plain node:http + pg on the PostgreSQL of this machine (PGHOST/PGPORT/PGUSER, default
 * 127.0.0.1:5432 postgres), a database of its own per run (dropped on stop), loaded by batched INSERTs from
 * the same seeded generator, then indexed: btree (user_id, created desc, id), GIN on tags (text[]), pg_trgm
 * GIN on lower(name), btree (user_id, lower(language), created desc). The same paths, query parameters,
 * semantics and page size as `GET /v1/pocs` (keyset on created desc, id asc), prepared statements per
 * query shape, auth simulated by a bearer token → user id map in memory (no JWT). Run by the bench as a
 * child process: `node bench/pocs-reference.ts '{"seed":1,"users":100,"pocsPerUser":300,"usersFile":…}'`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { pocBody, type MixUser } from './pocs-mix.ts';
import { ready } from './processes.ts';

interface Options {
  readonly seed: number;
  readonly users: number;
  readonly pocsPerUser: number;
  readonly usersFile: string;
}

interface Row {
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

const COLUMNS = 'id, name, language, tags, repo_url, description, favorite, created, updated';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const QUERY_KEYS = new Set(['name', 'language', 'tag', 'favorite', 'year', 'limit', 'cursor']);
const BODY_KEYS = new Set(['name', 'language', 'tags', 'repoUrl', 'description', 'favorite']);

class BadRequest extends Error {}
const bad = (message: string): never => {
  throw new BadRequest(message);
};

const view = (r: Row) => ({
  id: r.id,
  name: r.name,
  language: r.language,
  tags: r.tags,
  repoUrl: r.repo_url,
  description: r.description,
  favorite: r.favorite,
  created: r.created.toISOString(),
  updated: r.updated.toISOString(),
});

function text(v: unknown, max: number, field: string): string {
  const s = typeof v === 'string' ? v.trim() : bad(`${field} must be a string`);
  return s.length >= 1 && s.length <= max ? s : bad(`${field} must have 1 to ${max} characters`);
}

const normalizeTags = (tags: readonly unknown[]) =>
  tags.length <= 20
    ? [...new Set(tags.map((t) => text(t, 30, 'tag').toLowerCase()))].sort()
    : bad('at most 20 tags');

/** A create (all required fields) or a patch (any field, at least one), validated and normalized. */
function pocFields(body: unknown, patch: boolean): Partial<Omit<Row, 'id' | 'created' | 'updated'>> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return bad('body must be an object');
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) if (!BODY_KEYS.has(k)) bad(`unknown field ${k}`);
  const out: Partial<Omit<Row, 'id' | 'created' | 'updated'>> = {};
  if (!patch || b.name !== undefined) out.name = text(b.name, 100, 'name');
  if (!patch || b.language !== undefined) out.language = text(b.language, 30, 'language');
  if (b.tags !== undefined) out.tags = normalizeTags(Array.isArray(b.tags) ? b.tags : bad('tags'));
  if (!patch || b.repoUrl !== undefined) {
    const url = text(b.repoUrl, 255, 'repoUrl');
    if (!/^https?:\/\/[^/\s]+/i.test(url)) bad('repoUrl must be an http(s) URL');
    out.repo_url = url;
  }
  if (b.description !== undefined) {
    if (typeof b.description !== 'string' || b.description.length > 2000) bad('description');
    out.description = b.description as string;
  }
  if (b.favorite !== undefined) out.favorite = typeof b.favorite === 'boolean' ? b.favorite : bad('favorite');
  if (patch && Object.keys(out).length === 0) bad('nothing to change');
  return out;
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** `GET /v1/pocs`: one statement, named by its shape so that PostgreSQL keeps its plan. */
function listStatement(user: number, params: URLSearchParams) {
  for (const k of params.keys()) if (!QUERY_KEYS.has(k)) bad(`unknown query parameter ${k}`);
  const where = ['user_id = $1'];
  const values: unknown[] = [user];
  const add = (sql: (p: string) => string, value: unknown) => {
    values.push(value);
    where.push(sql(`$${values.length}`));
  };
  const name = params.get('name');
  if (name !== null)
    add((p) => `lower(name) like ${p}`, `%${likeEscape(text(name, 100, 'name').toLowerCase())}%`);
  const language = params.get('language');
  if (language !== null) add((p) => `lower(language) = ${p}`, text(language, 30, 'language').toLowerCase());
  const tags = params.getAll('tag');
  if (tags.length) add((p) => `tags @> ${p}::text[]`, normalizeTags(tags));
  const favorite = params.get('favorite');
  if (favorite !== null)
    add(
      (p) => `favorite = ${p}`,
      favorite === 'true' ? true : favorite === 'false' ? false : bad('favorite'),
    );
  const year = params.get('year');
  if (year !== null) {
    const y = /^\d{4}$/.test(year) && Number(year) >= 1970 ? Number(year) : bad('year');
    add((p) => `created >= ${p}`, new Date(Date.UTC(y, 0, 1)));
    add((p) => `created < ${p}`, new Date(Date.UTC(y + 1, 0, 1)));
  }
  const limitText = params.get('limit');
  const limit = limitText === null ? 20 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) bad('limit must be 1 to 100');
  const cursor = params.get('cursor');
  if (cursor !== null) {
    const [ms, id] = Buffer.from(cursor, 'base64url').toString().split(':');
    if (!id || !UUID.test(id) || !/^\d{1,15}$/.test(ms ?? '')) bad('bad cursor');
    values.push(new Date(Number(ms)), id);
    const [c, i] = [`$${values.length - 1}`, `$${values.length}`];
    where.push(`(created < ${c} or (created = ${c} and id > ${i}))`);
  }
  values.push(limit + 1);
  const sql =
    `select ${COLUMNS} from pocs where ${where.join(' and ')} ` +
    `order by created desc, id asc limit $${values.length}`;
  return { query: { name: `list:${where.length}:${sql.length}:${hashText(sql)}`, text: sql, values }, limit };
}

const hashText = (s: string) => [...s].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) | 0, 7);

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return bad('body is not JSON');
  }
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  const json = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

async function main(o: Options): Promise<void> {
  const connection = {
    host: process.env.PGHOST ?? '127.0.0.1',
    port: Number(process.env.PGPORT ?? 5432),
    user: process.env.PGUSER ?? 'postgres',
  };
  const database = `bench_pocs_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ ...connection, database: 'postgres' });
  await admin.connect();
  await admin.query(`create database ${database}`);
  const db = new pg.Pool({ ...connection, database, max: 10, idleTimeoutMillis: 0 });
  const drop = async () => {
    await db.end();
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.end();
  };
  try {
    const started = performance.now();
    await db.query('create extension if not exists pg_trgm');
    await db.query(
      `create table pocs (id uuid primary key, user_id int not null, name text not null, language text not null,
        tags text[] not null, repo_url text not null, description text not null, favorite boolean not null,
        created timestamptz not null, updated timestamptz not null)`,
    );
    // POC i of every user is older than POC i + 1, as when they were registered one after the other.
    const base = Date.now() - (o.pocsPerUser + 1) * 60_000;
    const users: MixUser[] = [];
    for (let u = 0; u < o.users; u++) {
      const values: unknown[] = [];
      const rows: string[] = [];
      const ids: string[] = [];
      for (let i = 0; i < o.pocsPerUser; i++) {
        const b = pocBody(o.seed, u, i);
        const id = randomUUID();
        const created = new Date(base + i * 60_000 + u);
        ids.push(id);
        values.push(
          id,
          u,
          b.name,
          b.language,
          b.tags,
          b.repoUrl,
          b.description,
          b.favorite,
          created,
          created,
        );
        rows.push(`(${Array.from({ length: 10 }, (_, k) => `$${values.length - 9 + k}`).join(', ')})`);
      }
      await db.query(
        `insert into pocs (${COLUMNS.replace('id,', 'id, user_id,')}) values ${rows.join(', ')}`,
        values,
      );
      users.push({ token: randomBytes(24).toString('base64url'), ids });
    }
    await db.query('create index pocs_user_created on pocs (user_id, created desc, id)');
    await db.query('create index pocs_tags on pocs using gin (tags)');
    await db.query('create index pocs_name_trgm on pocs using gin (lower(name) gin_trgm_ops)');
    await db.query('create index pocs_user_language on pocs (user_id, lower(language), created desc)');
    await db.query('analyze pocs');
    const seedSeconds = (performance.now() - started) / 1000;
    writeFileSync(o.usersFile, JSON.stringify({ users }));
    const byToken = new Map(users.map((u, i) => [u.token, i]));

    const handle = async (req: IncomingMessage, res: ServerResponse) => {
      const auth = req.headers.authorization;
      const user = auth?.startsWith('Bearer ') ? byToken.get(auth.slice(7)) : undefined;
      if (user === undefined) return send(res, 401, { code: 'AUTH.REQUIRED' });
      const url = new URL(req.url ?? '/', 'http://reference');
      const [, v1, pocs, id, favorite, extra] = url.pathname.split('/');
      if (v1 !== 'v1' || pocs !== 'pocs' || extra !== undefined) return send(res, 404, { code: 'NOT_FOUND' });
      if (id === undefined || id === '') {
        if (req.method === 'GET') {
          const { query, limit } = listStatement(user, url.searchParams);
          const { rows } = await db.query<Row>(query);
          const page = rows.slice(0, limit);
          const last = page.at(-1);
          const nextCursor =
            rows.length > limit && last
              ? Buffer.from(`${last.created.getTime()}:${last.id}`).toString('base64url')
              : null;
          return send(res, 200, { pocs: page.map(view), nextCursor });
        }
        if (req.method !== 'POST') return send(res, 405, { code: 'METHOD' });
        const f = pocFields(await readJson(req), false);
        const now = new Date();
        const { rows } = await db.query<Row>({
          name: 'create',
          text: `insert into pocs (${COLUMNS.replace('id,', 'id, user_id,')})
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) returning ${COLUMNS}`,
          values: [
            randomUUID(),
            user,
            f.name,
            f.language,
            f.tags ?? [],
            f.repo_url,
            f.description ?? '',
            f.favorite ?? false,
            now,
          ],
        });
        return send(res, 201, view(rows[0] as Row));
      }
      if (!UUID.test(id)) return send(res, 400, { code: 'VALIDATION', path: 'params.id' });
      let rows: Row[];
      if (favorite === 'favorite' && (req.method === 'PUT' || req.method === 'DELETE')) {
        ({ rows } = await db.query<Row>({
          name: 'favorite',
          text: `update pocs set updated = case when favorite = $3 then updated else now() end, favorite = $3
                 where id = $1 and user_id = $2 returning ${COLUMNS}`,
          values: [id, user, req.method === 'PUT'],
        }));
      } else if (favorite !== undefined) {
        return send(res, 404, { code: 'NOT_FOUND' });
      } else if (req.method === 'GET') {
        ({ rows } = await db.query<Row>({
          name: 'get',
          text: `select ${COLUMNS} from pocs where id = $1 and user_id = $2`,
          values: [id, user],
        }));
      } else if (req.method === 'PATCH') {
        const f = pocFields(await readJson(req), true);
        ({ rows } = await db.query<Row>({
          name: 'patch',
          text: `update pocs set name = coalesce($3, name), language = coalesce($4, language),
                   tags = coalesce($5, tags), repo_url = coalesce($6, repo_url),
                   description = coalesce($7, description), favorite = coalesce($8, favorite), updated = $9
                 where id = $1 and user_id = $2 returning ${COLUMNS}`,
          values: [id, user, f.name, f.language, f.tags, f.repo_url, f.description, f.favorite, new Date()],
        }));
      } else if (req.method === 'DELETE') {
        const { rowCount } = await db.query({
          name: 'delete',
          text: 'delete from pocs where id = $1 and user_id = $2',
          values: [id, user],
        });
        return rowCount ? send(res, 204) : send(res, 404, { code: 'POC.NOT_FOUND' });
      } else {
        return send(res, 405, { code: 'METHOD' });
      }
      return rows[0] ? send(res, 200, view(rows[0])) : send(res, 404, { code: 'POC.NOT_FOUND' });
    };

    const server = createServer((req, res) => {
      handle(req, res).catch((error: unknown) => {
        if (error instanceof BadRequest) send(res, 400, { code: 'VALIDATION', message: error.message });
        else {
          console.error(error);
          send(res, 500, { code: 'INTERNAL' });
        }
      });
    });
    server.keepAliveTimeout = 65_000;
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      const stop = () => new Promise<void>((r) => server.close(() => r())).then(drop);
      ready({ url: `http://127.0.0.1:${port}`, database, seedSeconds }, stop);
    });
  } catch (error) {
    await drop();
    throw error;
  }
}

if (import.meta.main) {
  await main(JSON.parse(process.argv[2] ?? '{}') as Options);
}
