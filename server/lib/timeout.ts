/** What withTimeout resolves to when `work` did not settle within its time and no error was asked for. */
export const TIMED_OUT: unique symbol = Symbol('timed out');
export type TimedOut = typeof TIMED_OUT;

type Work<T> = PromiseLike<T> | (() => PromiseLike<T>);

/**
 * Settles like `work` if it settles within `ms`; otherwise resolves to TIMED_OUT, or, given `onTimeout`,
 * rejects with the error it returns (built only when the time is up). `work` may be a function, called at
 * once; a synchronous throw becomes a rejection. The timer is always cleared, and `work` is not cancelled:
 * if it loses and later rejects, that rejection is handled here and dropped.
 */
export function withTimeout<T>(work: Work<T>, ms: number): Promise<T | TimedOut>;
export function withTimeout<T>(work: Work<T>, ms: number, onTimeout: () => unknown): Promise<T>;
export function withTimeout<T>(work: Work<T>, ms: number, onTimeout?: () => unknown): Promise<T | TimedOut> {
  let pending: PromiseLike<T>;
  try {
    pending = typeof work === 'function' ? work() : work;
  } catch (error) {
    return Promise.reject(error);
  }
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<TimedOut>((resolve, reject) => {
    timer = setTimeout(() => {
      if (!onTimeout) return resolve(TIMED_OUT);
      try {
        reject(onTimeout());
      } catch (error) {
        reject(error);
      }
    }, ms);
  });
  return Promise.race([pending, deadline]).finally(() => clearTimeout(timer));
}
