import { AppError } from './errors.ts';
import { withTimeout } from './timeout.ts';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  readonly name: string;
  /** Consecutive failures that open the circuit. */
  readonly failureThreshold: number;
  /** How long the circuit stays open before one trial call is let through. */
  readonly resetTimeoutMs: number;
  /** A call slower than this counts as a failure and is abandoned. */
  readonly callTimeoutMs?: number;
  /** Which errors count against the dependency (a 4xx-like refusal does not). */
  readonly isFailure?: (error: unknown) => boolean;
  readonly onStateChange?: (state: BreakerState, previous: BreakerState) => void;
  readonly now?: () => number;
}

/**
 * Fails fast while a dependency is down, then lets a single trial call through after resetTimeoutMs.
 * Callers decide what "fail fast" means for them (the cache treats it as a miss).
 */
export class CircuitBreaker {
  #state: BreakerState = 'closed';
  #failures = 0;
  #openedAt = 0;
  #trialInFlight = false;
  readonly #options: CircuitBreakerOptions;
  readonly #now: () => number;

  constructor(options: CircuitBreakerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  get state(): BreakerState {
    if (this.#state === 'open' && this.#now() - this.#openedAt >= this.#options.resetTimeoutMs) {
      return 'half-open';
    }
    return this.#state;
  }

  async call<T>(fn: () => Promise<T>): Promise<T> {
    const state = this.state;
    if (state === 'open' || (state === 'half-open' && this.#trialInFlight)) {
      throw new AppError('BREAKER.OPEN', `${this.#options.name} is unavailable (circuit open)`, {
        kind: 'UNAVAILABLE',
        retriable: true,
      });
    }
    const trial = state === 'half-open';
    if (trial) this.#trialInFlight = true;
    try {
      const result = await this.#withTimeout(fn);
      this.#onSuccess();
      return result;
    } catch (error) {
      if (this.#options.isFailure?.(error) ?? true) this.#onFailure(trial);
      else this.#onSuccess();
      throw error;
    } finally {
      if (trial) this.#trialInFlight = false;
    }
  }

  #withTimeout<T>(fn: () => Promise<T>): Promise<T> {
    const ms = this.#options.callTimeoutMs;
    if (!ms) return fn();
    return withTimeout(
      fn,
      ms,
      () =>
        new AppError('BREAKER.TIMEOUT', `${this.#options.name} did not answer within ${ms} ms`, {
          kind: 'TIMEOUT',
        }),
    );
  }

  #onSuccess() {
    this.#failures = 0;
    this.#transition('closed');
  }

  #onFailure(trial: boolean) {
    this.#failures++;
    if (trial || this.#failures >= this.#options.failureThreshold) {
      this.#openedAt = this.#now();
      this.#transition('open');
    }
  }

  #transition(next: BreakerState) {
    const previous = this.#state;
    if (previous === next) return;
    this.#state = next;
    this.#options.onStateChange?.(next, previous);
  }
}
