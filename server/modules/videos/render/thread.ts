/**
 * The render on a worker thread of its own, and the thread's side of it. Reading frames back makes megabytes
 * of short-lived buffers a frame, and V8 answers with a full garbage collection every few dozen frames: in
 * the workers' process, with its own heap of a hundred megabytes and more, each marks all of it (measured:
 * twice the CPU, a third more time, with 150 MB live beside the render). A thread has a heap of its own, of a
 * few megabytes, and leaves the process's event loop free. Progress and the result come back as messages;
 * an abort goes to the thread, which kills ffmpeg and removes the half file, as a render on the spot would.
 */
import { setFlagsFromString } from 'node:v8';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { RenderOptions, RenderResult, YearInReviewData } from './data.ts';

interface Job {
  readonly data: YearInReviewData;
  readonly outFile: string;
  readonly options: Pick<RenderOptions, 'width' | 'height' | 'fps'>;
}

type Message = { progress: number } | { result: RenderResult } | { error: unknown };

/**
 * The old generation a new thread's heap starts with. V8 starts it small and begins a full marking whenever the
 * room left in it is less than the young generation's size: with the frames' short-lived buffers, that was a
 * full collection every 20-odd frames (37 in the sample year's 840, 0.75 CPU s on V8's helper threads; 10 and
 * 0.37 s with this). It sets when collections start, not what is held. V8 has no per-thread setting for it (a
 * Worker's resourceLimits are maxima): the flag is the process's, read as each later thread's heap is made.
 */
const INITIAL_OLD_SPACE_MB = 64;

if (!isMainThread && parentPort && (workerData as { job?: Job } | null)?.job) {
  const port = parentPort;
  const { data, outFile, options } = (workerData as { job: Job }).job;
  const controller = new AbortController();
  port.on('message', (m) => {
    if (m === 'abort') controller.abort(new Error('render aborted'));
  });
  port.unref(); // the render keeps the thread alive, not the port
  const send = (m: Message, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
  try {
    // Imported here: the thread that only starts renders needs neither the canvas nor ffmpeg.
    const { renderOnThisThread } = await import('./render.ts');
    const result = await renderOnThisThread(data, outFile, {
      ...options,
      signal: controller.signal,
      onProgress: (progress) => send({ progress }),
    });
    const poster = new Uint8Array(result.poster); // a copy of its own, to hand over
    send({ result: { ...result, poster: Buffer.from(poster.buffer, poster.byteOffset, poster.length) } }, [
      poster.buffer,
    ]);
  } catch (error) {
    send({ error });
  }
}

/** Renders on a new worker thread; see render.ts for what is rendered and how. */
export function renderYearVideo(
  data: YearInReviewData,
  outFile: string,
  options: RenderOptions = {},
): Promise<RenderResult> {
  const { signal, onProgress, width, height, fps } = options;
  signal?.throwIfAborted();
  return new Promise((resolve, reject) => {
    const job: Job = { data, outFile, options: { width, height, fps } };
    setFlagsFromString(`--initial-old-space-size=${INITIAL_OLD_SPACE_MB}`);
    const worker = new Worker(new URL(import.meta.url), { workerData: { job }, name: 'video-render' });
    const onAbort = () => worker.postMessage('abort');
    signal?.addEventListener('abort', onAbort, { once: true });
    let outcome: Message | undefined;
    worker.on('message', (m: Message) => {
      if ('progress' in m) onProgress?.(m.progress);
      else outcome = m;
    });
    worker.once('error', (error) => (outcome = { error }));
    worker.once('exit', (code) => {
      signal?.removeEventListener('abort', onAbort);
      if (outcome && 'result' in outcome) {
        const { poster } = outcome.result;
        resolve({ ...outcome.result, poster: Buffer.from(poster.buffer, poster.byteOffset, poster.length) });
      } else if (signal?.aborted) reject(signal.reason ?? new Error('aborted'));
      else
        reject(
          outcome && 'error' in outcome ? outcome.error : new Error(`the render thread exited with ${code}`),
        );
    });
  });
}
