/**
 * The reference the realistic POC bench compares us with: what a competent engineer would write without our
 * stack. Plain node:http + pg on the PostgreSQL of this machine (PGHOST/PGPORT/PGUSER, default
 * 127.0.0.1:5432 postgres), a database of its own per run (dropped on stop), loaded by one INSERT per user
 * from the same seeded generator, then indexed (`pocs-reference-sql.ts`). The same paths, query parameters,
 * semantics, page sizes and JSON shapes as `GET/POST/PATCH/DELETE /v1/pocs` (keyset on created desc, id asc;
 * problem+json errors), prepared statements per query shape, and the same authentication work as ours: an
 * ES256 JWT per request, verified with jose once per token (`pocs-reference-auth.ts`; `verifyEach` verifies
 * every request). Users are spread over `tenants` tenants as ours are. Run by the bench as a child process:
 * `node bench/pocs-reference.ts '{"seed":1,"users":100,"pocsPerUser":300,"tenants":5,"usersFile":…}'`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import type { MixOptions, MixUser } from './pocs-mix.ts';
import { createReferenceAuth } from './pocs-reference-auth.ts';
import {
  COLUMNS,
  createIndexes,
  createSchema,
  createStatement,
  deleteStatement,
  favoriteStatement,
  getStatement,
  loadUser,
  patchStatement,
  type Fields,
  type Owner,
  type Row,
} from './pocs-reference-sql.ts';
import { ready } from './processes.ts';

interface Options extends MixOptions {
  readonly usersFile: string;
  readonly verifyEach?: boolean;
}

/** Access tokens outlive any run (ours live 15 minutes and are fetched after the seeding). */
const TOKEN_SECONDS = 3600;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const QUERY_KEYS = new Set(['name', 'language', 'tag', 'favorite', 'year', 'limit', 'cursor']);
const BODY_KEYS = new Set(['name', 'language', 'tags', 'repoUrl', 'description', 'favorite']);

/** A 400 naming the field, answered as problem+json like ours. */
class BadRequest extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(message);
    this.path = path;
  }
}
const bad = (message: string, path = message.split(' ')[0] ?? ''): never => {
  throw new BadRequest(path, message);
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
    : bad('at most 20 tags', 'tags');

/** A create (all required fields) or a patch (any field, at least one), validated and normalized. */
function pocFields(body: unknown, patch: boolean): Fields {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return bad('body must be an object');
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) if (!BODY_KEYS.has(k)) bad(`unknown field ${k}`);
  const out: Fields = {};
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
function listStatement(user: string, params: URLSearchParams) {
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

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  500: 'Internal Server Error',
};

function problem(res: ServerResponse, status: number, detail: string, path?: string): void {
  const json = JSON.stringify({
    type: 'about:blank',
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    ...(path !== undefined ? { errors: [{ path, message: detail }] } : {}),
  });
  res.writeHead(status, {
    'content-type': 'application/problem+json',
    'content-length': Buffer.byteLength(json),
  });
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
    await createSchema(db);
    const base = Date.now() - (o.pocsPerUser + 1) * 60_000;
    const tenants = Array.from({ length: Math.max(1, o.tenants) }, () => randomUUID());
    const auth = await createReferenceAuth({ verifyEach: o.verifyEach ?? false });
    const users: MixUser[] = [];
    for (let u = 0; u < o.users; u++) {
      const owner: Owner = { userId: randomUUID(), tenantId: tenants[u % tenants.length] as string };
      const ids = await loadUser(db, o, u, owner, base);
      users.push({ token: await auth.sign(owner, TOKEN_SECONDS), ids });
    }
    await createIndexes(db);
    const seedSeconds = (performance.now() - started) / 1000;
    writeFileSync(o.usersFile, JSON.stringify({ users }));

    const handle = async (req: IncomingMessage, res: ServerResponse) => {
      const bearer = req.headers.authorization;
      const owner = bearer?.startsWith('Bearer ') ? await auth.verify(bearer.slice(7)) : undefined;
      if (owner === undefined) return problem(res, 401, 'The access token is missing or invalid.');
      const url = new URL(req.url ?? '/', 'http://reference');
      const [, v1, pocs, id, favorite, extra] = url.pathname.split('/');
      if (v1 !== 'v1' || pocs !== 'pocs' || extra !== undefined) return problem(res, 404, 'No such route.');
      if (id === undefined || id === '') {
        if (req.method === 'GET') {
          const { query, limit } = listStatement(owner.userId, url.searchParams);
          const { rows } = await db.query<Row>(query);
          const page = rows.slice(0, limit);
          const last = page.at(-1);
          const nextCursor =
            rows.length > limit && last
              ? Buffer.from(`${last.created.getTime()}:${last.id}`).toString('base64url')
              : null;
          return send(res, 200, { pocs: page.map(view), nextCursor });
        }
        if (req.method !== 'POST') return problem(res, 405, 'GET or POST.');
        const f = pocFields(await readJson(req), false);
        const { rows } = await db.query<Row>(createStatement(owner, f, new Date()));
        return send(res, 201, view(rows[0] as Row));
      }
      if (!UUID.test(id)) return problem(res, 400, 'id must be a UUID', 'params.id');
      let rows: Row[];
      if (favorite === 'favorite' && (req.method === 'PUT' || req.method === 'DELETE')) {
        ({ rows } = await db.query<Row>(favoriteStatement(owner, id, req.method === 'PUT')));
      } else if (favorite !== undefined) {
        return problem(res, 404, 'No such route.');
      } else if (req.method === 'GET') {
        ({ rows } = await db.query<Row>(getStatement(owner, id)));
      } else if (req.method === 'PATCH') {
        const f = pocFields(await readJson(req), true);
        ({ rows } = await db.query<Row>(patchStatement(owner, id, f, new Date())));
      } else if (req.method === 'DELETE') {
        const { rowCount } = await db.query(deleteStatement(owner, id));
        return rowCount ? send(res, 204) : problem(res, 404, 'No such POC.');
      } else {
        return problem(res, 405, 'GET, PATCH or DELETE.');
      }
      return rows[0] ? send(res, 200, view(rows[0])) : problem(res, 404, 'No such POC.');
    };

    const server = createServer((req, res) => {
      handle(req, res).catch((error: unknown) => {
        if (error instanceof BadRequest) problem(res, 400, error.message, error.path);
        else {
          console.error(error);
          problem(res, 500, 'Something went wrong.');
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
