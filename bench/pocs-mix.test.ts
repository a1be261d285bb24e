/** The realistic POC workload is what bench/README.md says it is: its shares, its skew, its selectivity. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  LANGUAGES,
  TAGS,
  nextRequest,
  pocBody,
  readQuery,
  rng,
  type MixOp,
  type MixOptions,
} from './pocs-mix.ts';

const O: MixOptions = { seed: 1, users: 100, pocsPerUser: 300, tenants: 5, writes: 0.05 };
const idsOf = (users: number, per: number) =>
  Array.from({ length: users }, (_, u) => Array.from({ length: per }, (_, i) => `u${u}-p${i}`));

test('a POC is the same whatever the order it is generated in, with valid fields', () => {
  assert.equal(pocBody(1, 7, 42), pocBody(1, 7, 42));
  assert.not.equal(pocBody(1, 7, 42), pocBody(2, 7, 42));
  for (let i = 0; i < 300; i++) {
    const b = pocBody(1, 3, i);
    assert.ok(b.tags.length >= 1 && b.tags.length <= 5, 'one to five tags');
    assert.equal(b.tags, [...new Set(b.tags)].sort(), 'tags unique and sorted');
    assert.ok(b.tags.every((t) => TAGS.includes(t)));
    assert.ok((LANGUAGES as readonly string[]).includes(b.language));
    assert.ok(b.name.length <= 100 && b.name.split(' ').length >= 2, 'a name of words');
  }
});

test('languages and tags are skewed (Zipf): the first is far more common than the tenth', () => {
  const tags = new Map<string, number>();
  const languages = new Map<string, number>();
  for (let u = 0; u < 20; u++)
    for (let i = 0; i < 300; i++) {
      const b = pocBody(1, u, i);
      languages.set(b.language, (languages.get(b.language) ?? 0) + 1);
      for (const t of b.tags) tags.set(t, (tags.get(t) ?? 0) + 1);
    }
  const count = (m: Map<string, number>, k: string) => m.get(k) ?? 0;
  assert.ok(count(tags, TAGS[0] as string) > 5 * count(tags, TAGS[9] as string));
  assert.ok(count(languages, LANGUAGES[0]) > 4 * count(languages, LANGUAGES[9]));
});

test('the request mix has the shares the bench reports, and a seed replays it', () => {
  const r = rng(99);
  const ids = idsOf(O.users, O.pocsPerUser);
  const ops = new Map<MixOp, number>();
  const n = 40_000;
  for (let i = 0; i < n; i++) {
    const req = nextRequest(r, O, ids);
    ops.set(req.op, (ops.get(req.op) ?? 0) + 1);
  }
  const share = (op: MixOp) => (ops.get(op) ?? 0) / n;
  const near = (op: MixOp, want: number) =>
    assert.ok(Math.abs(share(op) - want) < 0.01, `${op}: ${share(op)} vs ${want}`);
  near('tag', 0.95 * 0.4);
  near('two-tags', 0.95 * 0.2);
  near('name', 0.95 * 0.2);
  near('language', 0.95 * 0.1);
  near('language+tag', 0.95 * 0.1);
  near('create', 0.05 * 0.35);
  near('retag', 0.05 * 0.3);
  near('delete', 0.05 * 0.3);
  near('rename', 0.05 * 0.05);
  const again = (seed: number) => {
    const g = rng(seed);
    const own = idsOf(O.users, O.pocsPerUser);
    return Array.from({ length: 200 }, () => nextRequest(g, O, own));
  };
  assert.equal(again(5), again(5));
});

test('a delete takes its id out of the live ids, so no two connections delete one POC', () => {
  const ids = idsOf(3, 5);
  const r = rng(3);
  const deleted: string[] = [];
  for (let i = 0; deleted.length < 6 && i < 100_000; i++) {
    const req = nextRequest(r, { ...O, users: 3, writes: 1 }, ids);
    if (req.op === 'delete') deleted.push(req.path.split('/').at(-1) as string);
  }
  assert.equal(new Set(deleted).size, deleted.length);
  for (const id of deleted) assert.not.ok(ids.flat().includes(id));
});

test('a next page repeats its search with the cursor', () => {
  const req = nextRequest(rng(1), O, idsOf(2, 2), { user: 1, path: '/v1/pocs?tag=kafka', cursor: 'c/1' });
  assert.is(req.op, 'next-page');
  assert.is(req.user, 1);
  assert.is(req.path, '/v1/pocs?tag=kafka&cursor=c%2F1');
});

test('a name substring matches a few % of the user’s POCs, never none', () => {
  const r = rng(11);
  const shares: number[] = [];
  for (let k = 0; k < 400; k++) {
    const user = Math.floor(r() * 20);
    const query = readQuery(r, O, user);
    if (!query.startsWith('name=')) continue;
    const part = decodeURIComponent(query.slice(5)).toLowerCase();
    const names = Array.from({ length: O.pocsPerUser }, (_, i) => pocBody(O.seed, user, i).name);
    const hits = names.filter((name) => name.toLowerCase().includes(part)).length;
    assert.ok(hits > 0, `${part} matches none of user ${user}'s POCs`);
    shares.push(hits / O.pocsPerUser);
  }
  const sorted = shares.sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.floor(q * sorted.length)] as number;
  assert.ok(at(0.5) > 0.01 && at(0.5) < 0.1, `median share ${at(0.5)}`);
  assert.ok(at(0.9) < 0.15, `90th percentile share ${at(0.9)}`);
});

test.run();
