/**
 * The reports pipeline under volume: `--events` POC events of one tenant (90 % created, 8 % updated or
 * favourited, 2 % deleted, over a year) are published to `events.pocs`, then a child process
 * (bench/reports-projector.ts) projects them into the read model and builds the tenant's annual report.
 * Reported per run: the projector's events/s, beside a plain multi-row INSERT of the same rows into the
 * same database (the peer: what the database itself takes, without dedupe, versions or a queue), the
 * report's seconds, and the child's peak RSS. It runs at a quarter of the volume first: memory is flat in
 * the number of events when the two peaks are alike.
 *
 *   npm run bench -- reports [--events 1000000] [--real]   (--real: Kafka + PostgreSQL from the environment)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type Env } from '../config/index.ts';
import { createAdapters } from '../server/adapters/index.ts';
import type { DomainEvent } from '../server/capabilities.ts';
import { silentLogger } from '../server/lib/log.ts';
import { uuid7 } from '../server/lib/uuid7.ts';
import { pocStream } from './reports-events.ts';
import { numberOption } from './args.ts';
import { uniqueName } from '../test/support/services.ts';

interface Done {
  projected: number;
  projectSeconds: number;
  figuresSeconds: number;
  reportSeconds: number;
  pdfBytes: number;
  pocs: number;
  peakRss: number;
}

const EMBEDDED: Env = {
  CASSANDRA_CONTACT_POINTS: undefined,
  KAFKA_BROKERS: undefined,
  POSTGRES_URL: undefined,
  REDIS_URL: undefined,
  S3_ENDPOINT: undefined,
};

async function publish(env: Env, events: Iterable<DomainEvent[]>): Promise<number> {
  const adapters = await createAdapters({ config: loadConfig(env), logger: silentLogger() });
  const started = performance.now();
  try {
    await adapters.queue.ensureTopics(['events.pocs']);
    for (const chunk of events) {
      await adapters.queue.publish(
        'events.pocs',
        chunk.map((e) => ({ key: e.tenantId, value: e })),
      );
    }
  } finally {
    await adapters.close();
  }
  return (performance.now() - started) / 1000;
}

/** The peer: the same rows straight into a table of the same database, 1,000 per INSERT. */
async function plainInsert(env: Env, events: Iterable<DomainEvent[]>): Promise<number> {
  const adapters = await createAdapters({ config: loadConfig(env), logger: silentLogger() });
  try {
    const db = adapters.analytics;
    await db.query('DROP TABLE IF EXISTS peer_pocs');
    await db.query(
      'CREATE TABLE peer_pocs (poc_id uuid, tenant_id uuid, user_id uuid, language text, tags text[], favorite boolean, created_at timestamptz, version bigint)',
    );
    const started = performance.now();
    for (const chunk of events) {
      const rows = chunk.map((e) => ({
        ...e.data,
        poc_id: e.data.pocId,
        tenant_id: e.tenantId,
        user_id: e.data.userId,
        created_at: e.data.created,
      }));
      await db.query(
        `INSERT INTO peer_pocs SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(poc_id uuid, tenant_id uuid, user_id uuid, language text, tags text[], favorite boolean, created_at timestamptz, version bigint)`,
        [JSON.stringify(rows)],
      );
    }
    return (performance.now() - started) / 1000;
  } finally {
    await adapters.close();
  }
}

function projectInChild(env: Env, count: number, tenant: string): Promise<Done> {
  const child = spawn(
    process.execPath,
    [path.join(import.meta.dirname, 'reports-projector.ts'), '--count', String(count), '--tenant', tenant],
    {
      env: env as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      const line = /^DONE (.*)$/m.exec(out)?.[1];
      if (line) resolve(JSON.parse(line) as Done);
      else reject(new Error(`projector exited ${code}:\n${out.slice(-2000)}`));
    });
  });
}

async function once(
  count: number,
  real: boolean,
): Promise<Done & { publishSeconds: number; peerSeconds: number }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dojo-bench-reports-'));
  const env: Env = real
    ? {
        ...process.env,
        DATA_DIR: dataDir,
        KAFKA_TOPIC_PREFIX: `${uniqueName('rbench')}.`,
        POSTGRES_SCHEMA: uniqueName('rbench'),
        LOG_LEVEL: 'warn',
      }
    : { ...process.env, ...EMBEDDED, DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  const tenant = '7f3cc084-33c2-4d66-8000-000000000001';
  try {
    const publishSeconds = await publish(env, pocStream(tenant, count, uuid7));
    const done = await projectInChild(env, count, tenant);
    const peerSeconds = await plainInsert(env, pocStream(tenant, count, uuid7));
    return { ...done, publishSeconds, peerSeconds };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function run(args: readonly string[]): Promise<void> {
  const events = numberOption(args, '--events', 1_000_000);
  const real = args.includes('--real');
  console.log(
    `${real ? 'Kafka + PostgreSQL' : 'embedded queue + PGlite'}; ${events.toLocaleString('en')} POC events of one tenant`,
  );
  const runs = [];
  for (const count of [Math.round(events / 4), events]) {
    const r = await once(count, real);
    runs.push(r);
    const rate = r.projected / r.projectSeconds;
    const peerRate = count / r.peerSeconds;
    console.log(
      `${count.toLocaleString('en').padStart(10)} events: projector ${Math.round(rate).toLocaleString('en')} events/s ` +
        `(plain INSERT of the same rows ${Math.round(peerRate).toLocaleString('en')} rows/s, ratio ${(rate / peerRate).toFixed(2)}); ` +
        `report ${r.reportSeconds.toFixed(1)} s (figures ${r.figuresSeconds.toFixed(1)} s, ${r.pocs.toLocaleString('en')} POCs, PDF ${Math.round(r.pdfBytes / 1024)} KiB); ` +
        `peak RSS ${Math.round(r.peakRss / 2 ** 20)} MiB; publishing took ${r.publishSeconds.toFixed(1)} s`,
    );
  }
  const [small, big] = runs as [(typeof runs)[number], (typeof runs)[number]];
  const rate = big.projected / big.projectSeconds;
  console.log(
    `targets: projector ≥ 5,000 events/s: ${Math.round(rate).toLocaleString('en')} ${rate >= 5000 ? 'PASS' : 'MISS'}`,
  );
  console.log(
    `         report < 30 s: ${big.reportSeconds.toFixed(1)} s ${big.reportSeconds < 30 ? 'PASS' : 'MISS'}`,
  );
  const growth = big.peakRss / small.peakRss;
  console.log(
    `         memory flat (peak RSS ×${growth.toFixed(2)} for ×4 the events): ${growth < 1.3 ? 'PASS' : 'MISS'}`,
  );
}
