/**
 * One ffmpeg run: `-progress pipe:1` read line by line into a fraction of the expected output duration,
 * the tail of stderr kept for the error, SIGKILL on abort.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface FfmpegRun {
  readonly ffmpegPath: string;
  readonly args: readonly string[];
  readonly durationMs: number;
  readonly onProgress?: ((fraction: number) => void) | undefined;
  readonly signal?: AbortSignal | undefined;
}

export class FfmpegError extends Error {
  readonly exitCode: number | null;
  readonly stderrTail: string;

  constructor(exitCode: number | null, signal: string | null, stderrTail: string) {
    super(`ffmpeg exited with ${exitCode ?? signal}: ${stderrTail}`);
    this.name = 'FfmpegError';
    this.exitCode = exitCode;
    this.stderrTail = stderrTail;
  }
}

const STDERR_KEPT = 4000;

export function runFfmpeg(run: FfmpegRun): Promise<void> {
  const { signal } = run;
  if (signal?.aborted) return Promise.reject(signal.reason ?? new Error('aborted'));
  const child = spawn(run.ffmpegPath, ['-progress', 'pipe:1', '-nostats', ...run.args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEPT);
  });
  let reported = 0;
  createInterface({ input: child.stdout }).on('line', (line) => {
    // This ffmpeg names it out_time_ms but counts microseconds (newer ones add out_time_us).
    const us = /^out_time_(?:ms|us)=(\d+)$/.exec(line)?.[1];
    if (us === undefined || !run.onProgress) return;
    const fraction = Math.min(1, Number(us) / 1000 / run.durationMs);
    if (fraction <= reported) return;
    reported = fraction;
    run.onProgress(fraction);
  });
  const onAbort = () => child.kill('SIGKILL');
  signal?.addEventListener('abort', onAbort, { once: true });
  return new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, sig) => {
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) reject(signal.reason ?? new Error('aborted'));
      else if (code === 0) resolve();
      else reject(new FfmpegError(code, sig, stderr.trim().slice(-1500)));
    });
  });
}
