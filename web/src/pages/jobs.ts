/**
 * Worker-produced things (reports, videos) that progress: live `job:progress` events move the bars, and
 * while any job is QUEUED or RUNNING the list is fetched again every few seconds (events can be missed
 * across a reconnect), until everything is DONE or FAILED.
 */
import type { AppContext } from '../app.ts';
import type { JobProgress } from '../live.ts';

const POLL_MS = 3000;
export const unfinished = (status: string) => status === 'QUEUED' || status === 'RUNNING';

export function watchJobs(
  ctx: AppContext,
  kind: JobProgress['kind'],
  options: { reload: () => Promise<boolean>; onProgress: (p: JobProgress) => void },
): { stop: () => void; poke: () => Promise<void> } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const tick = async () => {
    timer = undefined;
    const busy = await options.reload().catch(() => true);
    if (busy && !stopped) timer = setTimeout(() => void tick(), POLL_MS);
  };
  const off = ctx.live.onProgress((p) => {
    if (p.kind !== kind) return;
    options.onProgress(p);
    if (!unfinished(p.status)) void poke();
  });
  const poke = async () => {
    if (timer) clearTimeout(timer);
    await tick();
  };
  void tick();
  return {
    stop: () => {
      stopped = true;
      off();
      if (timer) clearTimeout(timer);
    },
    poke,
  };
}

export const years = (count = 5): number[] => {
  const now = new Date().getUTCFullYear();
  return Array.from({ length: count }, (_, i) => now - i);
};
