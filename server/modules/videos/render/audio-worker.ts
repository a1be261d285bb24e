/**
 * The soundtrack synthesized on a thread of its own, so that it overlaps ffmpeg starting and the first
 * frames being drawn rather than coming before them (a fifth of a second, on the render's critical path).
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { soundtrack } from './audio.ts';

if (!isMainThread && parentPort && typeof workerData === 'number') {
  const pcm = soundtrack(workerData);
  // Its own ArrayBuffer (Buffer.alloc of megabytes does not pool): handed over, not copied.
  const bytes = new Uint8Array(pcm.buffer as ArrayBuffer, pcm.byteOffset, pcm.length);
  parentPort.postMessage(bytes, [bytes.buffer]);
}

/** The soundtrack of `seconds`, from a worker thread. */
export function soundtrackOffThread(seconds: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: seconds, name: 'video-soundtrack' });
    worker.once('message', (pcm: Uint8Array) => resolve(Buffer.from(pcm.buffer, pcm.byteOffset, pcm.length)));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the soundtrack worker exited with ${code}`)));
  });
}
