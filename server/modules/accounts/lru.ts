/** A bounded map that forgets the least recently used entry first, and entries past their expiry. */
export class Lru<V> {
  readonly #max: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, { value: V; expiresAt: number; stamp: number }>();
  /** Counts insertions and refreshes: an entry's stamp says how recently it was last put at the new end. */
  #clock = 0;

  constructor(options: { readonly max: number; readonly now?: () => number }) {
    this.#max = Math.max(1, options.max);
    this.#now = options.now ?? Date.now;
  }

  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    // Map keeps insertion order: re-inserting marks the entry as the most recently used. An entry among the
    // newest half needs no move (eviction only ever reaches the oldest), which spares hot keys a re-insert.
    if (this.#clock - entry.stamp >= this.#max / 2) {
      this.#entries.delete(key);
      entry.stamp = ++this.#clock;
      this.#entries.set(key, entry);
    }
    return entry.value;
  }

  set(key: string, value: V, expiresAt: number): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt, stamp: ++this.#clock });
    while (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
    }
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  /** Drops every entry the predicate selects (a revocation broadcast naming a jti or a user). */
  deleteWhere(predicate: (value: V, key: string) => boolean): void {
    for (const [key, entry] of this.#entries) if (predicate(entry.value, key)) this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}
