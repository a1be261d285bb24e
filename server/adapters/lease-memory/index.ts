import { LEASE_TTL_SECONDS, type LeaseClaim, type Leases } from '../../ports/lease.ts';

export interface MemoryLeasesOptions {
  readonly name?: string;
  /** For tests of the expiry; defaults to Date.now. */
  readonly now?: () => number;
}

/**
 * Leases for a single process (no Redis). Nothing is shared, so the only live processes are the ones
 * announced through this adapter: any other holder is from a previous run, and may be taken over.
 */
export class MemoryLeases implements Leases {
  readonly name: string;
  readonly #now: () => number;
  /** Key → holder and when the lease expires (ms), as Redis would drop the key after LEASE_TTL_SECONDS. */
  readonly #leases = new Map<string, { holder: string; expiresAt: number }>();
  readonly #announced = new Set<string>();

  constructor(options: MemoryLeasesOptions = {}) {
    this.name = options.name ?? 'lease-memory';
    this.#now = options.now ?? Date.now;
  }

  async claim(key: string, holder: string, expected = ''): Promise<LeaseClaim> {
    // Read and write with no await between them: that is what makes a claim atomic here.
    const current = this.#current(key);
    if (current === undefined || current === holder || (expected !== '' && current === expected)) {
      this.#leases.set(key, { holder, expiresAt: this.#now() + LEASE_TTL_SECONDS * 1000 });
      return { acquired: true };
    }
    return { acquired: false, holder: current };
  }

  async holder(key: string): Promise<string | undefined> {
    return this.#current(key);
  }

  async release(key: string, holder: string): Promise<void> {
    if (this.#current(key) === holder) this.#leases.delete(key);
  }

  async announce(processId: string): Promise<void> {
    this.#announced.add(processId);
  }

  async processAlive(processId: string): Promise<boolean> {
    return this.#announced.has(processId);
  }

  async health(): Promise<void> {}

  async close(): Promise<void> {
    this.#announced.clear();
    this.#leases.clear();
  }

  #current(key: string): string | undefined {
    const lease = this.#leases.get(key);
    if (lease && lease.expiresAt <= this.#now()) this.#leases.delete(key);
    return this.#leases.get(key)?.holder;
  }
}
