import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { AppError } from '../../lib/errors.ts';
import type { Logger } from '../../lib/log.ts';
import type { Row, Store } from '../../ports/store.ts';
import { TABLES } from './schema.ts';

export const ALG = 'ES256';
const RING = 'access';
/** A node refreshes its copy at most this often when it meets a kid it does not know. */
const UNKNOWN_KID_RELOAD_MS = 1000;

interface RingKey {
  readonly kid: string;
  readonly created: Date;
  readonly retiredAt: Date | null;
  readonly publicJwk: JWK;
  readonly publicKey: CryptoKey;
}

interface Loaded {
  readonly keys: ReadonlyMap<string, RingKey>;
  readonly currentKid: string;
  readonly previousKid: string | null;
  readonly rotated: Date;
  readonly generation: number;
  readonly signingKey: CryptoKey;
  readonly loadedAt: number;
}

export interface KeyRingOptions {
  readonly store: Store;
  readonly logger: Logger;
  readonly maxAgeSeconds: number;
  /** A retired key keeps verifying this long: the longest an access token it signed can live, plus slack. */
  readonly retiredTrustSeconds: number;
  readonly refreshMs: number;
  readonly now?: () => number;
}

const newKid = () => randomBytes(12).toString('base64url');

/**
 * The ES256 signing keys, kept in the store so every node signs and verifies with the same ring. The first
 * node to boot makes the first key; the pointer to the current key is claimed and moved with conditional
 * writes, so two nodes racing to create or rotate agree on one winner. A retired key stays trusted (and in
 * the JWKS) until every token it could have signed has expired.
 */
export class KeyRing {
  readonly #o: KeyRingOptions;
  readonly #now: () => number;
  #loaded: Loaded | undefined;
  #loading: Promise<Loaded> | undefined;

  constructor(options: KeyRingOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /** The key to sign with now. */
  async signing(): Promise<{ kid: string; key: CryptoKey }> {
    const loaded = await this.#fresh();
    return { kid: loaded.currentKid, key: loaded.signingKey };
  }

  /** The public key for a kid, if that key is trusted now; an unknown kid makes the node re-read the ring. */
  async verificationKey(kid: string | undefined): Promise<CryptoKey | undefined> {
    if (!kid) return undefined;
    let loaded = await this.#fresh();
    if (!loaded.keys.has(kid) && this.#now() - loaded.loadedAt >= UNKNOWN_KID_RELOAD_MS) {
      loaded = await this.#reload();
    }
    const key = loaded.keys.get(kid);
    return key && this.#trusted(loaded, key) ? key.publicKey : undefined;
  }

  /** The public halves of every trusted key, for /.well-known/jwks.json. */
  async jwks(): Promise<{ keys: JWK[] }> {
    const loaded = await this.#fresh();
    const keys = [...loaded.keys.values()].filter((k) => this.#trusted(loaded, k));
    keys.sort((a, b) => (a.kid === loaded.currentKid ? -1 : b.kid === loaded.currentKid ? 1 : 0));
    return { keys: keys.map((k) => ({ ...k.publicJwk, kid: k.kid, alg: ALG, use: 'sig' })) };
  }

  /** Rotates when the current key is older than the maximum age; returns whether it did. */
  async rotateIfDue(): Promise<boolean> {
    const loaded = await this.#reload();
    const current = loaded.keys.get(loaded.currentKid);
    if (current && this.#now() - current.created.getTime() < this.#o.maxAgeSeconds * 1000) return false;
    await this.rotate(loaded.generation);
    await this.#cleanup();
    return true;
  }

  /** Makes a new current key unless another node already moved past `expectedGeneration`. */
  async rotate(expectedGeneration?: number): Promise<void> {
    const loaded = await this.#reload();
    const generation = expectedGeneration ?? loaded.generation;
    if (generation !== loaded.generation) return;
    const kid = await this.#createKey();
    const now = new Date(this.#now());
    const moved = await this.#o.store.update(
      TABLES.currentKey,
      { ring: RING },
      { kid, generation: generation + 1, rotated: now, previous_kid: loaded.currentKid },
      { if: { generation } },
    );
    if (moved.applied) {
      await this.#o.store.update(TABLES.keys, { ring: RING, kid: loaded.currentKid }, { retired_at: now });
      this.#o.logger.info({ kid, retired: loaded.currentKid }, 'signing key rotated');
    } else {
      await this.#o.store.delete(TABLES.keys, { ring: RING, kid });
    }
    await this.#reload();
  }

  #trusted(loaded: Loaded, key: RingKey): boolean {
    if (key.kid === loaded.currentKid) return true;
    const trustMs = this.#o.retiredTrustSeconds * 1000;
    const retired = key.kid === loaded.previousKid ? loaded.rotated : key.retiredAt;
    return retired !== null && this.#now() < retired.getTime() + trustMs;
  }

  async #fresh(): Promise<Loaded> {
    const loaded = this.#loaded;
    if (loaded && this.#now() - loaded.loadedAt < this.#o.refreshMs) return loaded;
    return this.#reload();
  }

  #reload(): Promise<Loaded> {
    this.#loading ??= this.#load().finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  async #load(): Promise<Loaded> {
    let pointer = await this.#o.store.get(TABLES.currentKey, { ring: RING });
    if (!pointer) pointer = await this.#bootstrap();
    const page = await this.#o.store.query(TABLES.keys, { where: { ring: RING } });
    const keys = new Map<string, RingKey>();
    let signingKey: CryptoKey | undefined;
    for (const row of page.rows) {
      const key = await toRingKey(row);
      keys.set(key.kid, key);
      if (key.kid === pointer.kid)
        signingKey = (await importJWK(JSON.parse(String(row.private_jwk)), ALG)) as CryptoKey;
    }
    if (!signingKey)
      throw new AppError('AUTH.KEYRING_BROKEN', 'The current signing key is missing', { kind: 'INTERNAL' });
    this.#loaded = {
      keys,
      currentKid: String(pointer.kid),
      previousKid: typeof pointer.previous_kid === 'string' ? pointer.previous_kid : null,
      rotated: pointer.rotated instanceof Date ? pointer.rotated : new Date(0),
      generation: Number(pointer.generation),
      signingKey,
      loadedAt: this.#now(),
    };
    return this.#loaded;
  }

  /** First boot: make a key and claim the pointer; a node that loses the race uses the winner's key. */
  async #bootstrap(): Promise<Row> {
    const kid = await this.#createKey();
    const pointer = { ring: RING, kid, generation: 1, rotated: new Date(this.#now()) };
    const claimed = await this.#o.store.insert(TABLES.currentKey, pointer, { ifNotExists: true });
    if (claimed.applied) {
      this.#o.logger.info({ kid }, 'first signing key created');
      return pointer;
    }
    await this.#o.store.delete(TABLES.keys, { ring: RING, kid });
    const winner = await this.#o.store.get(TABLES.currentKey, { ring: RING });
    if (!winner) throw new AppError('AUTH.KEYRING_BROKEN', 'No current signing key', { kind: 'INTERNAL' });
    return winner;
  }

  async #createKey(): Promise<string> {
    const { publicKey, privateKey } = await generateKeyPair(ALG, { extractable: true });
    const kid = newKid();
    await this.#o.store.insert(TABLES.keys, {
      ring: RING,
      kid,
      private_jwk: JSON.stringify(await exportJWK(privateKey)),
      public_jwk: JSON.stringify(await exportJWK(publicKey)),
      created: new Date(this.#now()),
    });
    return kid;
  }

  /** Drops keys nobody can still need: neither current nor trusted, and older than a day. */
  async #cleanup(): Promise<void> {
    const loaded = await this.#reload();
    const dayAgo = this.#now() - 24 * 3600 * 1000;
    for (const key of loaded.keys.values()) {
      if (this.#trusted(loaded, key) || key.created.getTime() > dayAgo) continue;
      await this.#o.store.delete(TABLES.keys, { ring: RING, kid: key.kid });
    }
  }
}

async function toRingKey(row: Row): Promise<RingKey> {
  const publicJwk = JSON.parse(String(row.public_jwk)) as JWK;
  return {
    kid: String(row.kid),
    created: row.created as Date,
    retiredAt: row.retired_at instanceof Date ? row.retired_at : null,
    publicJwk,
    publicKey: (await importJWK(publicJwk, ALG)) as CryptoKey,
  };
}
