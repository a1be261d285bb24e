import { Redis } from 'ioredis';
import { unavailable } from '../../lib/errors.ts';
import type { Logger } from '../../lib/log.ts';

/**
 * Which room instance owns a dojo: one key per dojo holding `<processId>/<nonce>`. A room claims it in
 * onCreate before it may run, so a dojo never has two live rooms, even when two nodes race; the owner
 * releases it on dispose. A node that died (SIGKILL) cannot release: its claim is taken over once its
 * Colyseus process is seen dead, which is when its presence channel `p:<processId>` has no subscriber
 * (Redis drops a dead connection's subscriptions at once, so this needs no heartbeat or TTL wait).
 */
export interface LeaseStore {
  /** Sets the lease when free, already ours, or held by `expected`; answers whether it is ours now. */
  claim(dojoId: string, holder: string, expected?: string): Promise<{ acquired: boolean; holder?: string }>;
  holder(dojoId: string): Promise<string | undefined>;
  /** Frees the lease if `holder` still has it. */
  release(dojoId: string, holder: string): Promise<void>;
  /** Whether the Colyseus process with this id is alive. */
  processAlive(processId: string): Promise<boolean>;
  close(): Promise<void>;
}

export const holderKey = (processId: string, nonce: string) => `${processId}/${nonce}`;
export const processOf = (holder: string) => holder.split('/')[0] ?? '';

/** A lease outlives any room; the owner renews it while it runs. */
const LEASE_SECONDS = 24 * 3600;

const CLAIM = `
local cur = redis.call('GET', KEYS[1])
if (not cur) or cur == ARGV[1] or (ARGV[2] ~= '' and cur == ARGV[2]) then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
  return {1, ARGV[1]}
end
return {0, cur}`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export class RedisLeaseStore implements LeaseStore {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(options: { url: string; keyPrefix: string; logger: Logger }) {
    this.#prefix = `${options.keyPrefix}dojo-room:`;
    this.#redis = new Redis(options.url, {
      connectTimeout: 2000,
      commandTimeout: 2000,
      maxRetriesPerRequest: 2,
      lazyConnect: true,
    });
    let last: string | undefined;
    this.#redis.on('error', (error: Error) => {
      if (last !== error.message) options.logger.warn({ err: error }, 'dojo lease redis error');
      last = error.message;
    });
    this.#redis.on('ready', () => (last = undefined));
  }

  async #run<T>(fn: (r: Redis) => Promise<T>): Promise<T> {
    try {
      return await fn(this.#redis);
    } catch (error) {
      throw unavailable('DOJO.LEASE_UNAVAILABLE', 'The room registry is unavailable', error);
    }
  }

  claim(dojoId: string, holder: string, expected = '') {
    return this.#run(async (r) => {
      const [ok, current] = (await r.eval(
        CLAIM,
        1,
        this.#prefix + dojoId,
        holder,
        expected,
        LEASE_SECONDS,
      )) as [number, string];
      return ok === 1 ? { acquired: true } : { acquired: false, holder: current };
    });
  }

  holder(dojoId: string) {
    return this.#run(async (r) => (await r.get(this.#prefix + dojoId)) ?? undefined);
  }

  async release(dojoId: string, holder: string) {
    await this.#run((r) => r.eval(RELEASE, 1, this.#prefix + dojoId, holder));
  }

  processAlive(processId: string) {
    // Colyseus subscribes every live process to `p:<processId>` on the same Redis (unprefixed).
    return this.#run(async (r) => ((await r.pubsub('CHANNELS', `p:${processId}`)) as string[]).length > 0);
  }

  async close() {
    this.#redis.disconnect();
  }
}

/** One process (no Redis): the only live process is this one. */
export class MemoryLeaseStore implements LeaseStore {
  readonly #leases = new Map<string, string>();
  readonly #self: () => string | undefined;

  constructor(self: () => string | undefined) {
    this.#self = self;
  }

  async claim(dojoId: string, holder: string, expected = '') {
    const current = this.#leases.get(dojoId);
    if (current === undefined || current === holder || (expected !== '' && current === expected)) {
      this.#leases.set(dojoId, holder);
      return { acquired: true };
    }
    return { acquired: false, holder: current };
  }

  async holder(dojoId: string) {
    return this.#leases.get(dojoId);
  }

  async release(dojoId: string, holder: string) {
    if (this.#leases.get(dojoId) === holder) this.#leases.delete(dojoId);
  }

  async processAlive(processId: string) {
    return processId === this.#self();
  }

  async close() {
    this.#leases.clear();
  }
}
