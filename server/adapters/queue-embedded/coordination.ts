/**
 * In-process coordination for the embedded queue: who in a group owns which partition, and waking the
 * partition loops of a topic when something changed (a publish, a member joining or leaving, a partition
 * released) instead of waiting for the next poll.
 */

/** Waiters per topic; a loop waits at most `timeoutMs` (the safety-net poll). */
export class Wakeups {
  readonly #waiters = new Map<string, Set<() => void>>();

  wait(topic: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      let set = this.#waiters.get(topic);
      if (!set) {
        set = new Set();
        this.#waiters.set(topic, set);
      }
      const waiters = set;
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal.addEventListener('abort', done, { once: true });
      waiters.add(done);
    });
  }

  notify(topic: string): void {
    for (const wake of [...(this.#waiters.get(topic) ?? [])]) wake();
  }
}

/**
 * Members of one (group, topic) in join order. Partition p belongs to member p mod count, like a round-robin
 * assignment; a partition changes hands only once its previous holder let go (after finishing the message it
 * was handling), so two members of a group never handle the same partition at once.
 */
export class GroupMembers {
  readonly #members: symbol[] = [];
  readonly #holders = new Map<number, symbol>();

  join(member: symbol): void {
    this.#members.push(member);
  }

  leave(member: symbol): void {
    const i = this.#members.indexOf(member);
    if (i >= 0) this.#members.splice(i, 1);
    for (const [partition, holder] of this.#holders) if (holder === member) this.#holders.delete(partition);
  }

  get empty(): boolean {
    return this.#members.length === 0;
  }

  assigned(member: symbol, partition: number): boolean {
    return this.#members[partition % Math.max(1, this.#members.length)] === member;
  }

  /** True when `member` holds the partition (taking it if free and assigned to it). */
  acquire(member: symbol, partition: number): boolean {
    const holder = this.#holders.get(partition);
    if (holder === member) return true;
    if (holder !== undefined || !this.assigned(member, partition)) return false;
    this.#holders.set(partition, member);
    return true;
  }

  /** Returns whether the member held the partition. */
  release(member: symbol, partition: number): boolean {
    if (this.#holders.get(partition) !== member) return false;
    this.#holders.delete(partition);
    return true;
  }
}
