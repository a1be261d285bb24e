/** Child processes of a benchmark: servers that print `READY <json>` once they serve and stop on SIGTERM, and load generators that print their result. */
import { spawn, type ChildProcess } from 'node:child_process';

export interface Served<T> {
  readonly info: T;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

export function serve<T>(
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 300_000,
): Promise<Served<T>> {
  const child = spawn(process.execPath, [script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let ready = false;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} ${args.join(' ')} not ready within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    };
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    // Once ready, stdout (a server's access log, a line per request) is read and dropped, not kept.
    child.stdout.on('data', (d: Buffer) => {
      if (ready) return;
      out += d.toString();
      const line = /^READY (.*)$/m.exec(out)?.[1];
      if (line !== undefined) {
        ready = true;
        clearTimeout(timer);
        resolve({ info: JSON.parse(line) as T, child, stop });
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${signal ?? code}) before it was ready:\n${out}`));
    });
  });
}

/** Prints the READY line and waits for SIGTERM/SIGINT, then runs `stop`. */
export function ready(info: unknown, stop: () => Promise<void>): void {
  process.stdout.write(`READY ${JSON.stringify(info)}\n`);
  const shutdown = () => {
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

/**
 * Runs a benchmark file as a child process with `options` as its one argument (JSON) and resolves with the
 * JSON value of the last line it prints: load generators run apart from the server they measure.
 */
export function runChild<R>(file: string, options: unknown, label: string): Promise<R> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file, JSON.stringify(options)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`${label} exited with ${code}: ${out}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '') as R);
      } catch {
        reject(new Error(`${label} printed no result: ${out}`));
      }
    });
  });
}
