/**
 * One thread of the hashing pool (hash-pool.ts). It derives scrypt keys with `scryptSync`, which runs on
 * this thread itself: the callback `crypto.scrypt` would queue on libuv's thread pool, which every thread
 * of the process shares with file and DNS work, even when called from a worker.
 */
import { scryptSync } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import type { DeriveRequest, DeriveResult } from './hash-pool.ts';

const port = parentPort;
if (!port) throw new Error('scrypt-worker.ts runs as a worker thread of hash-pool.ts only');

port.on('message', (job: DeriveRequest) => {
  let result: DeriveResult;
  try {
    const key = scryptSync(job.password, job.salt, job.keyLength, {
      N: job.N,
      r: job.r,
      p: job.p,
      maxmem: job.maxmem,
    });
    result = { id: job.id, key };
  } catch (error) {
    result = { id: job.id, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(result);
});
