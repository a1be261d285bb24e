import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createPgliteAnalytics, MEMORY } from '../../server/adapters/analytics-pglite/index.ts';
import { silentLogger } from '../../server/lib/log.ts';
import type { Analytics } from '../../server/ports/analytics.ts';
import { analyticsContract } from './analytics.contract.ts';

const open = (dataDir: string) => createPgliteAnalytics({ dataDir, logger: silentLogger() });

// The main adapter lives in memory; `fresh` gives each caller a directory, which `again` reopens.
analyticsContract('analytics-pglite', async () => {
  const adapter = await open(MEMORY);
  const dirs = new Map<Analytics, string>();
  return {
    adapter,
    shared: false,
    fresh: async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'dojo-analytics-'));
      const made = await open(dir);
      dirs.set(made, dir);
      return made;
    },
    again: async (first) => {
      const dir = dirs.get(first);
      if (!dir) throw new Error('again() takes an adapter made by fresh()');
      await first.close();
      const made = await open(dir);
      dirs.set(made, dir);
      return made;
    },
    cleanup: async () => {
      await Promise.all([adapter, ...dirs.keys()].map((a) => a.close()));
      for (const dir of new Set(dirs.values())) rmSync(dir, { recursive: true, force: true });
    },
  };
});

const s = suite('analytics-pglite: on disk');

s('the database lives under <dataDir>/analytics and outlives the adapter', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dojo-analytics-'));
  try {
    const first = await open(dataDir);
    await first.migrate([
      { id: '0001_kept', sql: 'CREATE TABLE kept (n int); INSERT INTO kept VALUES (42);' },
    ]);
    await first.close();
    assert.ok(existsSync(path.join(dataDir, 'analytics', 'PG_VERSION')), 'a PostgreSQL data directory');
    const second = await open(dataDir);
    assert.equal(await second.query('SELECT n FROM kept'), [{ n: 42 }]);
    await second.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

s(
  "a directory takes one adapter at a time, across processes too; a dead holder's lock is taken over",
  async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'dojo-analytics-'));
    const lockFile = path.join(dataDir, 'analytics.lock');
    try {
      const first = await open(dataDir);
      assert.match(String(await open(dataDir).catch((e: unknown) => e)), 'open already');
      await first.close();
      writeFileSync(lockFile, String(process.ppid));
      assert.match(String(await open(dataDir).catch((e: unknown) => e)), `process ${process.ppid}`);
      const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout;
      writeFileSync(lockFile, dead);
      const second = await open(dataDir);
      assert.is(readFileSync(lockFile, 'utf8'), String(process.pid));
      await second.close();
      assert.not.ok(existsSync(lockFile), 'close removes the lock');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
);

s.run();
