/**
 * Leases: a named key held by one holder at a time, so that exactly one instance of something runs (a
 * dojo's live room) even when several nodes race for it. A holder is `<processId>/<nonce>`: the process
 * part says which process to ask about (see `processAlive`), the nonce tells two holders of the same
 * process apart. A process that dies without releasing (SIGKILL) leaves its leases behind; another holder
 * takes one over with `claim(key, holder, expected)` once `processAlive(processOf(expected))` is false.
 * Adapters: lease-redis (shared by every node on the Redis) and lease-memory (one process).
 */
export interface Leases {
  readonly name: string;
  /**
   * Sets the lease when it is free, already held by `holder` (a renewal), or held by `expected` (a
   * takeover); answers whether `holder` has it now, and otherwise who does.
   */
  claim(key: string, holder: string, expected?: string): Promise<LeaseClaim>;
  /** Who holds the lease, if anyone. */
  holder(key: string): Promise<string | undefined>;
  /** Frees the lease if `holder` still has it; a lease taken over since is left alone. */
  release(key: string, holder: string): Promise<void>;
  /** Marks the process alive for as long as this adapter (its connection) lives; resolves once visible. */
  announce(processId: string): Promise<void>;
  /** Whether a process announced itself through an adapter that still lives. */
  processAlive(processId: string): Promise<boolean>;
  health(): Promise<void>;
  /** Also ends every announce made through this adapter. */
  close(): Promise<void>;
}

export interface LeaseClaim {
  readonly acquired: boolean;
  /** The current holder, when the claim was refused. */
  readonly holder?: string;
}

/**
 * A lease outlives any single use and is renewed by claiming it again; the expiry only bounds how long a
 * lease forgotten by everyone (its key never claimed again) stays in storage.
 */
export const LEASE_TTL_SECONDS = 24 * 3600;

export const holderKey = (processId: string, nonce: string) => `${processId}/${nonce}`;
export const processOf = (holder: string) => holder.split('/')[0] ?? '';
