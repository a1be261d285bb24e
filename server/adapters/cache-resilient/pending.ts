/**
 * Keys written while the primary cache was unreachable. Each remembered key carries the sequence number
 * of its last failed write, so a drain only forgets keys that were not touched again meanwhile.
 */
export interface PendingSnapshot {
  readonly flushAll: boolean;
  readonly keys: readonly string[];
  readonly seq: number;
}

export class PendingInvalidations {
  readonly #max: number;
  #keys = new Map<string, number>();
  /** Sequence number of the write that last needed a full flush; 0 when none is pending. */
  #flushAllSeq = 0;
  #seq = 0;

  constructor(maxKeys: number) {
    this.#max = maxKeys;
  }

  get empty(): boolean {
    return this.#flushAllSeq === 0 && this.#keys.size === 0;
  }

  get size(): number {
    return this.#keys.size;
  }

  remember(keys: readonly string[]) {
    this.#seq++;
    if (this.#flushAllSeq !== 0) {
      this.#flushAllSeq = this.#seq;
      return;
    }
    for (const key of keys) this.#keys.set(key, this.#seq);
    // Past the bound, remembering every key costs more than flushing our whole prefix once.
    if (this.#keys.size > this.#max) {
      this.#flushAllSeq = this.#seq;
      this.#keys = new Map();
    }
  }

  snapshot(): PendingSnapshot {
    return { flushAll: this.#flushAllSeq !== 0, keys: [...this.#keys.keys()], seq: this.#seq };
  }

  /** Forgets what `snapshot` covered, except keys remembered again after it was taken. */
  settled(snapshot: PendingSnapshot) {
    if (snapshot.flushAll && this.#flushAllSeq <= snapshot.seq) this.#flushAllSeq = 0;
    // Every key remembered at or before the snapshot's sequence number was part of it.
    for (const [key, seq] of this.#keys) if (seq <= snapshot.seq) this.#keys.delete(key);
  }
}
