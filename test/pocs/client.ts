import type { Env } from '../../config/index.ts';
import { createAccountsModule } from '../../server/modules/accounts/index.ts';
import { createPocsModule } from '../../server/modules/pocs/index.ts';
import { PocRepo } from '../../server/modules/pocs/repo.ts';
import { scanStore, type PocQuery } from '../../server/modules/pocs/search.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';
import type { LoggedIn } from '../support/accounts.ts';

/** Helpers shared by the POC suites: a system with accounts + POCs, an HTTP client, a store-only oracle. */
export interface PocView {
  id: string;
  name: string;
  language: string;
  tags: string[];
  repoUrl: string;
  description: string;
  favorite: boolean;
  created: string;
  updated: string;
}

export interface Answer<T = Record<string, unknown>> {
  readonly status: number;
  readonly type: string;
  readonly body: T;
  readonly ms: number;
}

/** Sign-up speed is not what these suites test: cheap password hashing keeps them quick. */
const CHEAP_HASHING = { N: 2 ** 10, r: 8, p: 1, keyLength: 32 } as const;

/** Mail must land in the outbox (tokens are read from it); the other services are not needed. */
export const LOCAL_ONLY: Env = {
  SMTP_URL: undefined,
  KAFKA_BROKERS: undefined,
  S3_ENDPOINT: undefined,
  POSTGRES_URL: undefined,
};

export function startPocSystem(env: Env): Promise<TestSystem> {
  return startTestSystem({
    env: { ...env, ...LOCAL_ONLY },
    modules: [createAccountsModule({ hashing: CHEAP_HASHING }), createPocsModule()],
  });
}

export function client(system: TestSystem, user?: LoggedIn) {
  const call = async <T = Record<string, unknown>>(
    method: string,
    route: string,
    body?: unknown,
  ): Promise<Answer<T>> => {
    const started = performance.now();
    const res = await fetch(system.url + route, {
      method,
      headers: {
        ...(user ? { authorization: `Bearer ${user.token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      type: (res.headers.get('content-type') ?? '').split(';')[0] ?? '',
      body: (text ? JSON.parse(text) : {}) as T,
      ms: performance.now() - started,
    };
  };
  return {
    call,
    create: (body: Record<string, unknown>) => call<PocView>('POST', '/v1/pocs', body),
    get: (id: string) => call<PocView>('GET', `/v1/pocs/${id}`),
    patch: (id: string, body: unknown) => call<PocView>('PATCH', `/v1/pocs/${id}`, body),
    remove: (id: string) => call('DELETE', `/v1/pocs/${id}`),
    favorite: (id: string, on: boolean) => call<PocView>(on ? 'PUT' : 'DELETE', `/v1/pocs/${id}/favorite`),
    search: (params: Params) => {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(params)) {
        if (v === undefined) continue;
        for (const one of Array.isArray(v) ? v : [v]) qs.append(k, String(one));
      }
      return call<{ pocs: PocView[]; nextCursor: string | null }>('GET', `/v1/pocs?${qs}`);
    },
  };
}

export type Client = ReturnType<typeof client>;

/** Query parameters of a search; arrays repeat the parameter, undefined ones are left out. */
export type Params = Readonly<Record<string, string | number | boolean | readonly string[] | undefined>>;

/** Every id a search returns, following nextCursor to the end. */
export async function searchAll(api: Client, params: Params, limit = 7): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const res = await api.search({ ...params, limit, ...(cursor ? { cursor } : {}) });
    if (res.status !== 200)
      throw new Error(`search ${JSON.stringify(params)}: ${res.status} ${JSON.stringify(res.body)}`);
    ids.push(...res.body.pocs.map((p) => p.id));
    if (res.body.nextCursor === null) return ids;
    cursor = res.body.nextCursor;
  }
  throw new Error('too many pages');
}

/** The same search answered by the store alone (no Redis sets), as the oracle the cached answers must equal. */
export async function storeOnly(system: TestSystem, user: LoggedIn, params: Params): Promise<string[]> {
  const repo = new PocRepo({ store: system.adapters.store });
  const tags =
    params.tag === undefined
      ? []
      : ([] as string[]).concat(params.tag as string | string[]).map((t) => t.toLowerCase());
  const q: PocQuery = {
    tags,
    ...(params.name === undefined ? {} : { name: String(params.name).toLowerCase() }),
    ...(params.language === undefined ? {} : { language: String(params.language).toLowerCase() }),
    ...(params.favorite === undefined ? {} : { favorite: String(params.favorite) === 'true' }),
    ...(params.year === undefined ? {} : { year: Number(params.year) }),
  };
  const owner = { tenantId: user.tenantId, userId: user.userId };
  const ids: string[] = [];
  let after: { created: number; id: string } | undefined;
  for (;;) {
    const page = await scanStore(repo, owner, q, { limit: 50, ...(after ? { after } : {}) });
    ids.push(...page.pocs.map((p) => p.id));
    if (!page.next) return ids;
    after = page.next;
  }
}

/** What a search must return, computed from the POCs as the API returned them. */
export function model(pocs: Iterable<PocView>, params: Params): string[] {
  const tags =
    params.tag === undefined
      ? []
      : ([] as string[]).concat(params.tag as string | string[]).map((t) => t.toLowerCase());
  return [...pocs]
    .filter(
      (p) => params.name === undefined || p.name.toLowerCase().includes(String(params.name).toLowerCase()),
    )
    .filter(
      (p) =>
        params.language === undefined || p.language.toLowerCase() === String(params.language).toLowerCase(),
    )
    .filter((p) => tags.every((t) => p.tags.includes(t)))
    .filter((p) => params.favorite === undefined || p.favorite === (String(params.favorite) === 'true'))
    .filter((p) => params.year === undefined || new Date(p.created).getUTCFullYear() === Number(params.year))
    .sort((a, b) => Date.parse(b.created) - Date.parse(a.created) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((p) => p.id);
}
