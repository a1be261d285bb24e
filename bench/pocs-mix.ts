/**
 * The realistic POC workload (issue #16), the same for every target: seeded, reproducible data (users ×
 * POCs, Zipf-distributed languages and tags, names from word lists) and a seeded stream of requests per
 * connection (reads: 40 % one tag, 20 % two tags, 20 % a name substring, 10 % a language, 10 % language +
 * tag; plus a share of writes, POST a new POC or PATCH one of the caller's).
 */

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

/** mulberry32: a small, fast, seeded generator of numbers in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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

export interface MixRequest {
  readonly kind: 'read' | 'write';
  readonly method: 'GET' | 'POST' | 'PATCH';
  readonly path: string;
  readonly user: number;
  readonly body?: string;
}

export interface MixOptions {
  readonly seed: number;
  readonly users: number;
  readonly pocsPerUser: number;
  /** Share of writes, 0..1. */
  readonly writes: number;
}

const q = encodeURIComponent;

/** A search as the mix draws it (the query string of `GET /v1/pocs`). */
export function readQuery(r: () => number, o: MixOptions, user: number): string {
  const tag = () => TAGS[pickTag(r)] as string;
  const language = () => (LANGUAGES[pickLanguage(r)] as string).toLowerCase();
  const x = r();
  if (x < 0.4) return `tag=${q(tag())}`;
  if (x < 0.6) {
    const first = tag();
    let second = tag();
    while (second === first) second = tag();
    return `tag=${q(first)}&tag=${q(second)}`;
  }
  if (x < 0.8) {
    // 3–5 letters of a word of one of the user's real names, sometimes upper-cased (matching ignores case).
    const words = pocBody(o.seed, user, Math.floor(r() * o.pocsPerUser))
      .name.split(' ')
      .filter((w) => w.length >= 3);
    const word = pick(r, words);
    const length = Math.min(word.length, int(r, 3, 5));
    const start = Math.floor(r() * (word.length - length + 1));
    const part = word.slice(start, start + length);
    return `name=${q(r() < 0.2 ? part.toUpperCase() : part)}`;
  }
  if (x < 0.9) return `language=${q(language())}`;
  return `language=${q(language())}&tag=${q(tag())}`;
}

/** The request stream of one connection: every draw comes from `r`, so a seed replays it exactly. */
export function nextRequest(r: () => number, o: MixOptions, users: readonly MixUser[]): MixRequest {
  const user = Math.floor(r() * users.length);
  if (r() >= o.writes)
    return { kind: 'read', method: 'GET', path: `/v1/pocs?${readQuery(r, o, user)}`, user };
  const ids = (users[user] as MixUser).ids;
  if (r() < 0.5 || ids.length === 0) {
    const body = pocBody(o.seed, user, 1_000_000 + Math.floor(r() * 1e9));
    return { kind: 'write', method: 'POST', path: '/v1/pocs', user, body: JSON.stringify(body) };
  }
  const id = pick(r, ids);
  const y = r();
  const change = y < 0.4 ? { favorite: r() < 0.5 } : y < 0.7 ? { tags: tagsFrom(r) } : { name: nameFrom(r) };
  return { kind: 'write', method: 'PATCH', path: `/v1/pocs/${id}`, user, body: JSON.stringify(change) };
}
