import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Owner } from '../../server/modules/pocs/repo.ts';

/** Where the crashing child writes: the environment that configures its store (undefined removes). */
export interface CrashTarget {
  readonly env: Record<string, string | undefined>;
}

export function childEnv(target: CrashTarget): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [key, value] of Object.entries(target.env)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/**
 * Runs crash-writer.ts and kills it with SIGKILL once it has had `after` writes acknowledged, while others
 * are in flight. Answers the user it wrote for and how many writes it started and finished.
 */
export async function crashMidWrites(
  target: CrashTarget,
  after = 80,
): Promise<{ owner: Owner; started: number; finished: number }> {
  const owner = { tenantId: randomUUID(), userId: randomUUID() };
  const script = path.join(import.meta.dirname, 'crash-writer.ts');
  const child = spawn(process.execPath, [script, owner.tenantId, owner.userId], {
    env: childEnv(target),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let started = 0;
  let finished = 0;
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      for (const c of chunk.toString()) {
        if (c === 's') started++;
        else if (c === 'd') finished++;
      }
      if (finished >= after && started > finished && child.exitCode === null) {
        child.kill('SIGKILL');
        resolve();
      }
    });
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`the writer exited (${code}): ${stderr}`));
    });
  });
  await new Promise((resolve) => child.once('close', resolve));
  return { owner, started, finished };
}
