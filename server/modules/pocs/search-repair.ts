import { scanPages, textOf, type Row, type Store, type WriteOp } from '../../ports/store.ts';
import { facetsOf, gramsOf } from './facets.ts';
import { pocOf, samePoc, type Owner, type Poc } from './repo.ts';
import { TABLES } from './schema.ts';
import { countedKeys, facetInserts, gramInserts, ownerCells } from './search-rows.ts';

/**
 * Compares the search tables with the base table `pocs_by_user` (the truth) and, with `repair`, makes
 * them agree. Three passes over `Store.scan` pages, none holding a table in memory:
 * 1. every POC: its facet and gram rows must exist and hold the POC as it is (rewritten otherwise);
 * 2. every facet and gram row: its POC must exist and still have that facet or gram (deleted otherwise);
 * 3. every count: what pass 1 counted per user (rewritten or deleted otherwise).
 * Safe while the service writes: each fix re-states what the base row says at the time it was read, and a
 * second run fixes what a write racing the first one changed meanwhile.
 */
export interface SearchCheck {
  /** What disagreed (at most `MAX_REPORTED` of them are described). */
  readonly problems: string[];
  readonly disagreements: number;
  readonly pocs: number;
}

const MAX_REPORTED = 50;
const PAGE = 500;
const FIX_BATCH = 50;

const ownerOf = (row: Row): Owner => ({ tenantId: textOf(row.tenant_id), userId: textOf(row.user_id) });
const ownerKey = (o: Owner) => `${o.tenantId}/${o.userId}`;
const placeOf = (row: Row) => ({ ...ownerCells(ownerOf(row)), created: row.created, id: row.id });

export async function checkSearchTables(
  store: Store,
  options: { readonly repair: boolean } = { repair: false },
): Promise<SearchCheck> {
  const problems: string[] = [];
  let disagreements = 0;
  const report = (what: string) => {
    disagreements++;
    if (problems.length < MAX_REPORTED) problems.push(what);
  };
  // Small batches: a Cassandra batch over many partitions is refused past 50 KiB.
  const fix = async (ops: WriteOp[]) => {
    if (!options.repair) return;
    for (let i = 0; i < ops.length; i += FIX_BATCH) await store.batch(ops.slice(i, i + FIX_BATCH));
  };
  const counts = new Map<string, Map<string, number>>();
  let pocs = 0;

  for await (const rows of scanPages(store, TABLES.byUser, PAGE)) {
    for (const row of rows) {
      pocs++;
      const owner = ownerOf(row);
      const poc = pocOf(row);
      const userCounts = counts.get(ownerKey(owner)) ?? new Map<string, number>();
      counts.set(ownerKey(owner), userCounts);
      for (const key of countedKeys(poc)) userCounts.set(key, (userCounts.get(key) ?? 0) + 1);
      await fix(await missingRows(store, owner, poc, report));
    }
  }
  await orphans(store, TABLES.byFacet, 'facet', (poc) => facetsOf(poc), report, fix);
  await orphans(store, TABLES.byGram, 'gram', (poc) => gramsOf(poc.name), report, fix);
  await checkCounts(store, counts, report, fix);
  return { problems, disagreements, pocs };
}

/** The writes that would put back the search rows of `poc` that are missing or hold another state. */
async function missingRows(
  store: Store,
  owner: Owner,
  poc: Poc,
  report: (what: string) => void,
): Promise<WriteOp[]> {
  const at = { ...ownerCells(owner), created: poc.created, id: poc.id };
  const facets = facetsOf(poc);
  const grams = gramsOf(poc.name);
  const [facetRows, gramRows] = await Promise.all([
    store.getMany(
      TABLES.byFacet,
      facets.map((facet) => ({ ...at, facet })),
    ),
    store.getMany(
      TABLES.byGram,
      grams.map((gram) => ({ ...at, gram })),
    ),
  ]);
  const staleFacets = facets.filter((facet, i) => {
    const row = facetRows[i];
    const ok = row !== undefined && samePoc(pocOf(row), poc);
    if (!ok) report(`${poc.id}: facet ${facet} ${row ? 'holds another state' : 'missing'}`);
    return !ok;
  });
  const staleGrams = grams.filter((gram, i) => {
    const ok = gramRows[i] !== undefined && textOf(gramRows[i]?.name) === poc.name;
    if (!ok) report(`${poc.id}: gram ${gram} ${gramRows[i] ? 'holds another name' : 'missing'}`);
    return !ok;
  });
  return [...facetInserts(owner, poc, staleFacets), ...gramInserts(owner, poc, staleGrams)];
}

/** Deletes of the rows of a search table whose POC is gone or no longer has that facet or gram. */
async function orphans(
  store: Store,
  table: string,
  column: 'facet' | 'gram',
  keysOf: (poc: Poc) => string[],
  report: (what: string) => void,
  fix: (ops: WriteOp[]) => Promise<void>,
): Promise<void> {
  for await (const rows of scanPages(store, table, PAGE)) {
    const ops: WriteOp[] = [];
    const bases = await store.getMany(TABLES.byUser, rows.map(placeOf));
    rows.forEach((row, i) => {
      const base = bases[i];
      const key = textOf(row[column]);
      if (base && keysOf(pocOf(base)).includes(key)) return;
      report(`${textOf(row.id)}: ${column} ${key} ${base ? 'no longer applies' : 'of a deleted POC'}`);
      ops.push({ kind: 'delete', table, key: { ...placeOf(row), [column]: key } });
    });
    await fix(ops);
  }
}

async function checkCounts(
  store: Store,
  counts: Map<string, Map<string, number>>,
  report: (what: string) => void,
  fix: (ops: WriteOp[]) => Promise<void>,
): Promise<void> {
  const seen = new Set<string>();
  const ops: WriteOp[] = [];
  for await (const rows of scanPages(store, TABLES.facetCounts, PAGE)) {
    for (const row of rows) {
      const owner = ownerOf(row);
      const facet = textOf(row.facet);
      const want = counts.get(ownerKey(owner))?.get(facet);
      seen.add(`${ownerKey(owner)} ${facet}`);
      if (want === row.pocs) continue;
      report(`${ownerKey(owner)}: count of ${facet} is ${String(row.pocs)}, not ${want ?? 0}`);
      const key = { ...ownerCells(owner), facet };
      ops.push(
        want === undefined
          ? { kind: 'delete', table: TABLES.facetCounts, key }
          : { kind: 'update', table: TABLES.facetCounts, key, set: { pocs: want } },
      );
    }
  }
  for (const [user, facets] of counts) {
    const [tenantId = '', userId = ''] = user.split('/');
    for (const [facet, pocs] of facets) {
      if (seen.has(`${user} ${facet}`)) continue;
      report(`${user}: count of ${facet} missing`);
      ops.push({
        kind: 'update',
        table: TABLES.facetCounts,
        key: { tenant_id: tenantId, user_id: userId, facet },
        set: { pocs },
      });
    }
  }
  await fix(ops);
}
