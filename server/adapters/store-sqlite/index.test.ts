import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isAppError } from '../../lib/errors.ts';
import { silentLogger } from '../../lib/log.ts';
import type { Migration } from '../../ports/store.ts';
import { SqliteStore } from './index.ts';

const MIGRATIONS: Migration[] = [
  {
    id: '0001_notes',
    createTables: [
      {
        name: 'notes',
        columns: { owner: 'text', n: 'int', body: 'text' },
        partitionKey: ['owner'],
        clusteringKey: [{ column: 'n', order: 'asc' }],
      },
    ],
  },
];

async function withDir(fn: (dataDir: string) => Promise<void>): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dojo-sqlite-'));
  try {
    await fn(dataDir);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const open = (dataDir: string, purgeIntervalMs?: number) =>
  new SqliteStore({ dataDir, logger: silentLogger(), ...(purgeIntervalMs ? { purgeIntervalMs } : {}) });

test('rows and page states survive closing and reopening the file', async () => {
  await withDir(async (dataDir) => {
    const first = open(dataDir);
    await first.migrate(MIGRATIONS);
    for (let n = 0; n < 5; n++) await first.insert('notes', { owner: 'a', n, body: `b${n}` });
    const page = await first.query('notes', { where: { owner: 'a' }, limit: 2 });
    await first.close();

    const second = open(dataDir);
    try {
      await second.migrate(MIGRATIONS);
      const next = await second.query('notes', {
        where: { owner: 'a' },
        limit: 2,
        pageState: page.pageState,
      });
      assert.equal(
        next.rows.map((r) => r.n),
        [2, 3],
      );
    } finally {
      await second.close();
    }
  });
});

test('a write acknowledged just before kill -9 is on disk', async () => {
  await withDir(async (dataDir) => {
    const moduleUrl = pathToFileURL(path.join(import.meta.dirname, 'index.ts')).href;
    const logUrl = pathToFileURL(path.join(import.meta.dirname, '../../lib/log.ts')).href;
    const script = `
      const { SqliteStore } = await import(${JSON.stringify(moduleUrl)});
      const { silentLogger } = await import(${JSON.stringify(logUrl)});
      const store = new SqliteStore({ dataDir: ${JSON.stringify(dataDir)}, logger: silentLogger() });
      await store.migrate(${JSON.stringify(MIGRATIONS)});
      for (let n = 0; ; n++) {
        await store.insert('notes', { owner: 'crash', n, body: 'x'.repeat(200) });
        process.stdout.write(n + '\\n');
      }`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let acked = -1;
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        const lines = chunk.toString().trim().split('\n');
        acked = Number(lines.at(-1));
        if (acked >= 50) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => reject(new Error(`child exited early: ${stderr}`)));
    });
    await new Promise((resolve) => child.once('close', resolve));

    const store = open(dataDir);
    try {
      await store.migrate(MIGRATIONS);
      const rows = (await store.query('notes', { where: { owner: 'crash' } })).rows;
      assert.ok(rows.length >= acked + 1, `acknowledged ${acked + 1}, found ${rows.length}`);
      assert.equal(
        rows.slice(0, acked + 1).map((r) => r.n),
        Array.from({ length: acked + 1 }, (_, i) => i),
      );
    } finally {
      await store.close();
    }
  });
});

test('expired rows are purged from the file, not only hidden', async () => {
  await withDir(async (dataDir) => {
    const store = open(dataDir, 100);
    try {
      await store.migrate(MIGRATIONS);
      await store.insert('notes', { owner: 'ttl', n: 1, body: 'brief' }, { ttlSeconds: 1 });
      await store.insert('notes', { owner: 'ttl', n: 2, body: 'stays' });
      await sleep(1300);
      const raw = new DatabaseSync(path.join(dataDir, 'store.db'), { readOnly: true });
      try {
        assert.equal(
          raw
            .prepare(`SELECT n FROM notes WHERE owner = 'ttl'`)
            .all()
            .map((r) => r.n),
          [2],
        );
      } finally {
        raw.close();
      }
    } finally {
      await store.close();
    }
  });
});

test('TTL per row: a later write without TTL keeps the row; an update extends it', async () => {
  await withDir(async (dataDir) => {
    const store = open(dataDir);
    try {
      await store.migrate(MIGRATIONS);
      await store.insert('notes', { owner: 'x', n: 1, body: 'a' }, { ttlSeconds: 1 });
      await store.update('notes', { owner: 'x', n: 1 }, { body: 'b' });
      await store.insert('notes', { owner: 'x', n: 2, body: 'a' }, { ttlSeconds: 1 });
      await store.update('notes', { owner: 'x', n: 2 }, { body: 'b' }, { ttlSeconds: 3 });
      await store.insert('notes', { owner: 'x', n: 3, body: 'a' });
      await store.insert('notes', { owner: 'x', n: 3, body: 'b' }, { ttlSeconds: 1 });
      await sleep(1200);
      assert.equal(
        (await store.query('notes', { where: { owner: 'x' } })).rows.map((r) => r.n),
        [1, 2],
      );
    } finally {
      await store.close();
    }
  });
});

test('a page state is bound to its query and cannot be altered', async () => {
  await withDir(async (dataDir) => {
    const store = open(dataDir);
    try {
      await store.migrate(MIGRATIONS);
      for (let n = 0; n < 3; n++) await store.insert('notes', { owner: 'p', n });
      const { pageState } = await store.query('notes', { where: { owner: 'p' }, limit: 1 });
      assert.type(pageState, 'string');
      const [payload = '', mac = ''] = (pageState as string).split('.');
      const forged = `${Buffer.from('[1]').toString('base64url')}.${mac}`;
      const attempts = [
        () => store.query('notes', { where: { owner: 'q' }, limit: 1, pageState }),
        () => store.query('notes', { where: { owner: 'p' }, limit: 1, reverse: true, pageState }),
        () => store.query('notes', { where: { owner: 'p' }, limit: 1, pageState: forged }),
        () =>
          store.query('notes', { where: { owner: 'p' }, limit: 1, pageState: `${payload}.${mac.slice(1)}A` }),
      ];
      for (const [i, attempt] of attempts.entries()) {
        const error = await attempt().then(
          () => undefined,
          (e: unknown) => e,
        );
        assert.ok(
          isAppError(error) && error.code === 'STORE.BAD_PAGE_STATE',
          `attempt ${i}: got ${String(error)}`,
        );
      }
    } finally {
      await store.close();
    }
  });
});

test('a read-only store reads what the writing store committed, shares its page states, writes nothing', async () => {
  await withDir(async (dataDir) => {
    const writer = open(dataDir);
    const reader = new SqliteStore({ dataDir, logger: silentLogger(), readOnly: true });
    try {
      const notMigrated = await reader.migrate(MIGRATIONS).catch((e: unknown) => e);
      assert.ok(isAppError(notMigrated) && notMigrated.code === 'STORE.NOT_MIGRATED');
      await writer.migrate(MIGRATIONS);
      await reader.migrate(MIGRATIONS);
      for (let n = 0; n < 4; n++) await writer.insert('notes', { owner: 'a', n, body: `b${n}` });
      const first = await writer.query('notes', { where: { owner: 'a' }, limit: 2 });
      const next = await reader.query('notes', {
        where: { owner: 'a' },
        limit: 2,
        pageState: first.pageState,
      });
      assert.equal(
        next.rows.map((r) => r.n),
        [2, 3],
      );
      await writer.update('notes', { owner: 'a', n: 0 }, { body: 'changed' });
      assert.is((await reader.get('notes', { owner: 'a', n: 0 }))?.body, 'changed', 'the newest commit');
      const refused = await reader.insert('notes', { owner: 'a', n: 9, body: 'x' }).catch((e: unknown) => e);
      assert.ok(isAppError(refused) && refused.code === 'STORE.READ_ONLY');
      assert.is(await writer.get('notes', { owner: 'a', n: 9 }), undefined);
    } finally {
      await reader.close();
      await writer.close();
    }
  });
});

test.run();
