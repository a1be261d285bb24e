/**
 * The realistic POC workload (issue #16), the same for every target: seeded, reproducible data (users ×
 * POCs, Zipf-distributed languages and tags, names from word lists) and a seeded stream of requests per
 * connection (reads: 40 % one tag, 20 % two tags, 20 % a name substring, 10 % a language, 10 % language +
 * tag, at random page sizes, some followed by their next page; plus a share of writes: create a POC, change
 * one's tags or name, delete one).
 */
import { rng } from '../test/support/random.ts';

/** Runs `job(0)` … `job(count - 1)`, `width` of them in flight. */
export async function inFlight(
  count: number,
  width: number,
  job: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) await job(i);
  };
  await Promise.all(Array.from({ length: width }, worker));
}

export { rng } from '../test/support/random.ts';

/** A 32-bit mix of a few integers (murmur3's finalizer over a running combination). */
export function hash(...values: number[]): number {
  let h = 0x9e3779b9;
  for (const v of values) {
    h = Math.imul(h ^ (v >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** Draws indexes 0..n-1 with probability ∝ 1 / (k + 1)^s. */
function zipf(n: number, s: number): (r: () => number) => number {
  const cumulative: number[] = [];
  let total = 0;
  for (let k = 1; k <= n; k++) cumulative.push((total += 1 / k ** s));
  return (r) => {
    const x = r() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] as number) < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

export const LANGUAGES = [
  'TypeScript',
  'Python',
  'Go',
  'Java',
  'Rust',
  'Kotlin',
  'C#',
  'Elixir',
  'Scala',
  'Ruby',
  'Swift',
  'Haskell',
] as const;

export const TAGS = (
  'kafka redis cassandra postgres grpc rest graphql k8s docker ml llm stream batch cache auth oauth jwt ' +
  'webrtc wasm cli ui react vue svelte htmx terraform aws gcp azure lambda queue search elastic vector ' +
  'embeddings rag etl spark flink airflow observability tracing metrics logging otel security crypto ' +
  'payments ledger iot mqtt edge cdn websocket sse testing fuzzing benchmark compiler parser'
).split(' ');

const ADJECTIVES = (
  'fast tiny reactive resilient durable async typed lazy secure simple elastic sharded streaming ' +
  'serverless portable minimal distributed embedded incremental realtime offline federated immutable ' +
  'concurrent pluggable adaptive hybrid'
).split(' ');
const NOUNS = (
  'gateway queue ledger crawler scheduler router indexer parser proxy tracker broker cache dashboard ' +
  'pipeline notifier uploader resolver limiter balancer recorder planner matcher compressor validator ' +
  'replicator'
).split(' ');
const DOMAINS = (
  'payments chat invoices telemetry orders search billing inventory bookings geodata images videos ' +
  'podcasts recipes weather'
).split(' ');

const pickLanguage = zipf(LANGUAGES.length, 1.1);
const pickTag = zipf(TAGS.length, 1.0);
const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)] as T;
const int = (r: () => number, from: number, to: number) => from + Math.floor(r() * (to - from + 1));

export interface PocBody {
  readonly name: string;
  readonly language: string;
  readonly tags: string[];
  readonly repoUrl: string;
  readonly description: string;
  readonly favorite: boolean;
}

function tagsFrom(r: () => number): string[] {
  const tags = new Set<string>();
  const count = int(r, 1, 5);
  while (tags.size < count) tags.add(TAGS[pickTag(r)] as string);
  return [...tags].sort();
}

function nameFrom(r: () => number): string {
  const base = `${pick(r, ADJECTIVES)} ${pick(r, NOUNS)}`;
  return r() < 0.6 ? `${base} for ${pick(r, DOMAINS)}` : base;
}

/** POC `i` of user `user`: the same body whatever the order it is generated in. */
export function pocBody(seed: number, user: number, i: number): PocBody {
  const r = rng(hash(seed, user, i));
  const name = nameFrom(r);
  return {
    name,
    language: LANGUAGES[pickLanguage(r)] as string,
    tags: tagsFrom(r),
    repoUrl: `https://github.com/u${user}/poc-${i}`,
    description: `A ${name} to try an idea, ${int(r, 1, 99)}.`,
    favorite: r() < 0.1,
  };
}

/** What a load or check request needs: the target's users in generator order, with their POC ids. */
export interface MixUser {
  readonly token: string;
  readonly ids: string[];
}

/** What a request is, for the latency breakdown: the five searches, a next page, and the writes. */
export type MixOp =
  | 'tag'
  | 'two-tags'
  | 'name'
  | 'language'
  | 'language+tag'
  | 'next-page'
  | 'create'
  | 'retag'
  | 'rename'
  | 'delete';

export interface MixRequest {
  readonly kind: 'read' | 'write';
  readonly op: MixOp;
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly user: number;
  readonly body?: string;
  /** A read whose next page this connection asks for next, if the answer has one. */
  readonly follow?: boolean;
}

export interface MixOptions {
  readonly seed: number;
  readonly users: number;
  readonly pocsPerUser: number;
  /** Users are spread over this many tenants (user u in tenant u mod tenants), as the accounts API makes them. */
  readonly tenants: number;
  /** Share of writes, 0..1. */
  readonly writes: number;
}

/** The page the connection asks for next instead of a new draw: the previous search's `nextCursor`. */
export interface NextPage {
  readonly user: number;
  readonly path: string;
  readonly cursor: string;
}

const q = encodeURIComponent;
/** Share of searches followed by their next page (when there is one). */
const FOLLOW = 0.25;
/** Page sizes: the default (no `limit`) half the time, else one a client might pick (the API allows 1–100). */
const LIMITS = [5, 10, 20, 50, 100];

/** A search as the mix draws it (the filters of `GET /v1/pocs`, without `limit`). */
export function readQuery(r: () => number, o: MixOptions, user: number): string {
  return drawSearch(r, o, user).query;
}

function drawSearch(r: () => number, o: MixOptions, user: number): { op: MixOp; query: string } {
  const tag = () => TAGS[pickTag(r)] as string;
  const language = () => (LANGUAGES[pickLanguage(r)] as string).toLowerCase();
  const x = r();
  if (x < 0.4) return { op: 'tag', query: `tag=${q(tag())}` };
  if (x < 0.6) {
    const first = tag();
    let second = tag();
    while (second === first) second = tag();
    return { op: 'two-tags', query: `tag=${q(first)}&tag=${q(second)}` };
  }
  if (x < 0.8) {
    // 3–5 letters of a word of one of the user's real names, sometimes upper-cased (matching ignores case);
    // not of the joining "for", which most names have.
    const words = pocBody(o.seed, user, Math.floor(r() * o.pocsPerUser))
      .name.split(' ')
      .filter((w) => w.length >= 3 && w !== 'for');
    const word = pick(r, words);
    const length = Math.min(word.length, int(r, 3, 5));
    const start = Math.floor(r() * (word.length - length + 1));
    const part = word.slice(start, start + length);
    return { op: 'name', query: `name=${q(r() < 0.2 ? part.toUpperCase() : part)}` };
  }
  if (x < 0.9) return { op: 'language', query: `language=${q(language())}` };
  return { op: 'language+tag', query: `language=${q(language())}&tag=${q(tag())}` };
}

/**
 * The next request of one connection: every draw comes from `r`, so a seed replays the same choices (the ids
 * a create gets and the cursors differ between targets). `ids` are the users' live POC ids: a delete takes
 * its id out at once (no two connections delete the same POC), the caller adds the id of each create.
 */
export function nextRequest(
  r: () => number,
  o: MixOptions,
  ids: readonly string[][],
  next?: NextPage,
): MixRequest {
  const follow = r() < FOLLOW;
  if (next) {
    const path = `${next.path}&cursor=${q(next.cursor)}`;
    return { kind: 'read', op: 'next-page', method: 'GET', path, user: next.user, follow };
  }
  const user = Math.floor(r() * ids.length);
  if (r() >= o.writes) {
    const { op, query } = drawSearch(r, o, user);
    const limit = r() < 0.5 ? '' : `&limit=${pick(r, LIMITS)}`;
    return { kind: 'read', op, method: 'GET', path: `/v1/pocs?${query}${limit}`, user, follow };
  }
  const own = ids[user] as string[];
  const y = r();
  if (y < 0.35 || own.length === 0) {
    const body = JSON.stringify(pocBody(o.seed, user, 1_000_000 + Math.floor(r() * 1e9)));
    return { kind: 'write', op: 'create', method: 'POST', path: '/v1/pocs', user, body };
  }
  const at = Math.floor(r() * own.length);
  const id = own[at] as string;
  if (y < 0.65) {
    const body = JSON.stringify({ tags: tagsFrom(r) });
    return { kind: 'write', op: 'retag', method: 'PATCH', path: `/v1/pocs/${id}`, user, body };
  }
  if (y < 0.7) {
    const body = JSON.stringify({ name: nameFrom(r) });
    return { kind: 'write', op: 'rename', method: 'PATCH', path: `/v1/pocs/${id}`, user, body };
  }
  own[at] = own.at(-1) as string;
  own.pop();
  return { kind: 'write', op: 'delete', method: 'DELETE', path: `/v1/pocs/${id}`, user };
}
