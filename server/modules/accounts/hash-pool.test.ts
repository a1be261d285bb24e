import { scrypt, scryptSync } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isAppError } from '../../lib/errors.ts';
import { scryptMaxmem, ScryptPool } from './hash-pool.ts';
import { PRODUCTION_SCRYPT } from './options.ts';

const cheap = { N: 2 ** 10, r: 8, p: 1, keyLength: 32 };
const salt = Buffer.from('0123456789abcdef');
const s = suite('accounts: hashing pool');

type Outcome = { ok: true; key: Buffer } | { ok: false; error: unknown };
const settle = (p: Promise<Buffer>): Promise<Outcome> =>
  p.then(
    (key) => ({ ok: true as const, key }),
    (error: unknown) => ({ ok: false as const, error }),
  );

s(
  'the worker file loads (type stripping) and derives the same key as scrypt on the main thread',
  async () => {
    const pool = new ScryptPool({ threads: 1, maxQueue: 0 });
    try {
      const key = await pool.derive('pässword', salt, cheap);
      const expected = scryptSync('pässword', salt, 32, {
        N: cheap.N,
        r: 8,
        p: 1,
        maxmem: scryptMaxmem(cheap),
      });
      assert.ok(Buffer.isBuffer(key));
      assert.is(key.toString('hex'), expected.toString('hex'));
    } finally {
      await pool.close();
    }
  },
);

s(
  'bounded: beyond threads + queue a job fails at once with ACCOUNT.BUSY (503) and a Retry-After',
  async () => {
    const pool = new ScryptPool({ threads: 2, maxQueue: 3 });
    try {
      const outcomes = await Promise.all(
        Array.from({ length: 10 }, (_, i) => settle(pool.derive(`pw${i}`, salt, cheap))),
      );
      const ok = outcomes.filter((o) => o.ok);
      const refused = outcomes.flatMap((o) => (o.ok ? [] : [o.error]));
      assert.is(ok.length, 5, 'two running and three waiting');
      assert.is(refused.length, 5);
      for (const error of refused) {
        assert.ok(isAppError(error), String(error));
        assert.is(error.code, 'ACCOUNT.BUSY');
        assert.is(error.kind, 'UNAVAILABLE');
        assert.ok((error.retryAfterSeconds ?? 0) >= 1 && (error.retryAfterSeconds ?? 0) <= 30);
      }
      const stats = pool.stats();
      assert.is(stats.peakInFlight, 5);
      assert.is(stats.threads, 2);
      assert.is(stats.refused, 5);
      assert.is(
        (await settle(pool.derive('after', salt, cheap))).ok,
        true,
        'a drained pool takes jobs again',
      );
    } finally {
      await pool.close();
    }
  },
);

s('a failing job rejects alone; the pool goes on', async () => {
  const pool = new ScryptPool({ threads: 1, maxQueue: 4 });
  try {
    const [bad, good] = await Promise.all([
      settle(pool.derive('x', salt, { ...cheap, N: 3 })),
      settle(pool.derive('x', salt, cheap)),
    ]);
    assert.is(bad.ok, false);
    assert.match(String(!bad.ok && bad.error), /scrypt failed/);
    assert.is(good.ok, true);
  } finally {
    await pool.close();
  }
});

s('close terminates the threads, refuses what waits and everything after', async () => {
  const pool = new ScryptPool({ threads: 1, maxQueue: 4 });
  const running = settle(pool.derive('a', salt, PRODUCTION_SCRYPT));
  const waiting = settle(pool.derive('b', salt, cheap));
  await new Promise((r) => setTimeout(r, 50));
  await pool.close();
  const [a, b] = await Promise.all([running, waiting]);
  for (const o of [a, b]) {
    assert.is(o.ok, false);
    assert.ok(!o.ok && isAppError(o.error) && o.error.code === 'ACCOUNT.SHUTTING_DOWN');
  }
  assert.is(pool.stats().threads, 0, 'no thread left');
  const later = await settle(pool.derive('c', salt, cheap));
  assert.ok(!later.ok && isAppError(later.error) && later.error.kind === 'UNAVAILABLE');
});

/** The largest RSS seen while `work` runs, sampled every 10 ms. */
async function peakRss(work: () => Promise<unknown>): Promise<number> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, process.memoryUsage.rss());
}

/** How long a file-system call (libuv's thread pool) takes while `work` runs. */
async function fsLatencyDuring(work: Promise<unknown>): Promise<number> {
  await new Promise((r) => setTimeout(r, 30));
  const started = performance.now();
  await stat(import.meta.filename);
  const ms = performance.now() - started;
  await work;
  return ms;
}

const MiB = 1024 * 1024;

s('real parameters: a burst of 8 hashes holds at most 2 × 128 MiB and leaves libuv free', async () => {
  const pool = new ScryptPool({ threads: 2, maxQueue: 6 });
  try {
    await pool.derive('warm', salt, cheap);
    const before = process.memoryUsage.rss();
    const started = performance.now();
    const burst = Promise.all(
      Array.from({ length: 8 }, (_, i) => pool.derive(`pw${i}`, salt, PRODUCTION_SCRYPT)),
    );
    const [peak, fsMs] = await Promise.all([peakRss(() => burst), fsLatencyDuring(burst)]);
    const ms = performance.now() - started;
    const grew = (peak - before) / MiB;

    // The same burst on libuv's pool (what passwords.ts did before), for comparison.
    const libuv = () =>
      new Promise((resolve, reject) =>
        scrypt('pw', salt, 32, { N: 2 ** 17, r: 8, p: 1, maxmem: scryptMaxmem(PRODUCTION_SCRYPT) }, (e, k) =>
          e ? reject(e) : resolve(k),
        ),
      );
    const beforeLibuv = process.memoryUsage.rss();
    const flood = Promise.all(Array.from({ length: 4 }, libuv));
    const [peakLibuv, fsLibuvMs] = await Promise.all([peakRss(() => flood), fsLatencyDuring(flood)]);
    const grewLibuv = (peakLibuv - beforeLibuv) / MiB;
    console.log(
      `    [measure] 8 hashes on the pool (2 threads): ${ms.toFixed(0)} ms, RSS +${grew.toFixed(0)} MiB, ` +
        `fs.stat during it ${fsMs.toFixed(1)} ms; 4 on libuv: RSS +${grewLibuv.toFixed(0)} MiB, ` +
        `fs.stat ${fsLibuvMs.toFixed(1)} ms`,
    );
    assert.ok(grew < 2 * 128 + 96, `hashing memory is bounded by the threads (+${grew.toFixed(0)} MiB)`);
    assert.ok(fsMs < 150, `file-system work is not starved (${fsMs.toFixed(1)} ms)`);
    assert.ok(pool.stats().peakInFlight <= 8);
  } finally {
    await pool.close();
  }
});

s.run();
