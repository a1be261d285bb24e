import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { uniqueName } from '../support/services.ts';
import { spawnSystem, type SpawnedSystem } from '../support/system.ts';
import { waitFor, type Backend } from './harness.ts';

async function post(server: SpawnedSystem, route: string, body: unknown): Promise<void> {
  const res = await fetch(`${server.url}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.is(res.status, 204, `${route}: ${await res.text()}`);
}

async function runs(server: SpawnedSystem, id: string): Promise<number> {
  const res = await fetch(`${server.url}/test/runs/${encodeURIComponent(id)}`);
  assert.is(res.status, 200);
  return ((await res.json()) as { count: number }).count;
}

/** The scheduler in a real separate process (test/scheduler/fixtures/server.ts), SIGKILLed and restarted. */
export function restartSuite(backend: Backend, hooks: { readonly after?: () => Promise<void> } = {}): void {
  const test = suite(`scheduler: kill -9 and restart (${backend.label})`);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dojo-sched-proc-'));
  const timeout = backend.real ? 120_000 : 20_000;
  test.after(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    await hooks.after?.();
  });

  const spawn = () =>
    spawnSystem(
      {
        ...backend.spawnEnv,
        DATA_DIR: dataDir,
        ROLES: 'api,workers',
        SCHEDULER_TEST_CLOCK_OFFSET_MS: String(backend.clock.offsetMs),
      },
      { entry: 'test/scheduler/fixtures/server.ts', timeoutMs: 180_000 },
    );

  test('a task due while its node was SIGKILLed runs once after a restart; a cancelled one never', async () => {
    const first = await spawn();
    const id = uniqueName('killed');
    const gone = uniqueName('gone');
    const scheduledAt = Date.now();
    await post(first, '/test/schedule', { id, inMs: 2000 });
    await post(first, '/test/schedule', { id: gone, inMs: 1500 });
    await post(first, '/test/cancel', { id: gone });
    first.child.kill('SIGKILL');
    assert.is(await first.stop(), 'SIGKILL');
    assert.ok(Date.now() - scheduledAt < 1500, 'killed before either was due');
    await sleep(scheduledAt + 3000 - Date.now());

    const second = await spawn();
    try {
      await waitFor('the task after the restart', async () => (await runs(second, id)) > 0, timeout);
      await sleep(1500);
      assert.is(await runs(second, id), 1, 'published once');
      assert.is(await runs(second, gone), 0, 'the cancelled task never ran');
    } finally {
      assert.is(await second.stop(), 0, second.output());
    }
  });

  test.run();
}
