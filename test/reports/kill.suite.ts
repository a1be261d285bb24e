import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig, type Env } from '../../config/index.ts';
import { createPgliteAnalytics, MEMORY } from '../../server/adapters/analytics-pglite/index.ts';
import { createAdapters } from '../../server/adapters/index.ts';
import { EVENT_DOMAINS } from '../../server/capabilities.ts';
import { silentLogger } from '../../server/lib/log.ts';
import { project } from '../../server/modules/reports/projector.ts';
import { READ_MODEL_MIGRATIONS } from '../../server/modules/reports/read-model.ts';
import type { Backend } from '../support/backends.ts';
import { dumpTables, eventStream } from './events.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const EVENTS = 12_000;

/** Runs the projector process; with `killAfter`, SIGKILLs it once it has reported that many batches. */
function projector(env: Env, killAfter?: number): Promise<string> {
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'bench/reports-projector.ts'), '--count', String(EVENTS), '--all-topics'],
    {
      env: env as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let batches = 0;
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    batches += (d.toString().match(/^PROJECTED /gm) ?? []).length;
    if (killAfter !== undefined && batches >= killAfter) child.kill('SIGKILL');
  });
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(`${signal ?? code}\n${out}`)));
}

/**
 * A projector SIGKILLed in the middle of its work and started again ends with the same read model as one
 * pass over the same events: batches are transactions, offsets are committed after them, and a batch
 * delivered again changes nothing.
 */
export function killSuite(backend: Backend): void {
  const s = suite(`reports: a projector killed mid-batch (${backend.label})`);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dojo-projector-kill-'));
  const env: Env = { ...process.env, ...backend.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  const events = eventStream(3, EVENTS);

  s.after(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    await backend.cleanup();
  });

  s('killed and restarted: the same tables as an uninterrupted run', async () => {
    const reference = await createPgliteAnalytics({ dataDir: MEMORY, logger: silentLogger() });
    await reference.migrate(READ_MODEL_MIGRATIONS);
    await project(reference, events);
    const expected = await dumpTables(reference);
    await reference.close();

    const publisher = await createAdapters({ config: loadConfig(env), logger: silentLogger() });
    await publisher.queue.ensureTopics(EVENT_DOMAINS.map((d) => `events.${d}`));
    for (let i = 0; i < events.length; i += 500) {
      const chunk = events.slice(i, i + 500);
      for (const domain of EVENT_DOMAINS) {
        const mine = chunk.filter((e) => e.domain === domain);
        if (mine.length)
          await publisher.queue.publish(
            `events.${domain}`,
            mine.map((e) => ({ key: e.tenantId, value: e })),
          );
      }
    }
    await publisher.close();

    const killed = await projector(env, 3);
    assert.match(killed, /^SIGKILL/, killed.slice(0, 500));
    const finished = await projector(env);
    assert.match(finished, /^0\n[\s\S]*DONE/, finished.slice(-1000));

    const after = await createAdapters({ config: loadConfig(env), logger: silentLogger() });
    try {
      assert.equal(await dumpTables(after.analytics), expected);
    } finally {
      await after.close();
    }
  });

  s.run();
}
