/**
 * The render on a worker thread of its own, and the thread's side of it. Reading frames back makes megabytes
 * of short-lived buffers a frame, and V8 answers with a full garbage collection every few dozen frames: in
 * the workers' process, with its own heap of a hundred megabytes and more, each marks all of it (measured:
 * twice the CPU, a third more time, with 150 MB live beside the render). A thread has a heap of its own, of a
 * few megabytes, and leaves the process's event loop free. Progress and the result come back as messages;
 * an abort goes to the thread, which kills ffmpeg and removes the half file, as a render on the spot would.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { RenderOptions, RenderResult, YearInReviewData } from './data.ts';

interface Job {
  readonly data: YearInReviewData;
  readonly outFile: string;
  readonly options: Pick<RenderOptions, 'width' | 'height' | 'fps'>;
}

type Message = { progress: number } | { result: RenderResult } | { error: unknown };

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
