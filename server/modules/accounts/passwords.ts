import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FieldError } from '../../lib/errors.ts';

/** scrypt cost: N (a power of two), r, p, and the derived key length in bytes. */
export interface ScryptParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly keyLength: number;
}

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
const SALT_BYTES = 16;

/**
 * Derives an scrypt key. The accounts service's is `ScryptPool.derive` (hash-pool.ts): a few worker threads
 * of its own with a bounded queue, never libuv's shared pool.
 */
export type Derive = (password: string, salt: Buffer, params: ScryptParams) => Promise<Buffer>;

/** The same password, whatever Unicode composition the keyboard produced. */
const normalize = (password: string) => password.normalize('NFKC');

/**
 * A PHC-style string, `$scrypt$ln=17,r=8,p=1$<salt>$<key>`, so each hash carries the parameters it was
 * made with and can be upgraded on the next successful login.
 */
export async function hashPassword(password: string, params: ScryptParams, derive: Derive): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(normalize(password), salt, params);
  const ln = Math.log2(params.N);
  return `$scrypt$ln=${ln},r=${params.r},p=${params.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

interface ParsedHash {
  readonly params: ScryptParams;
  readonly salt: Buffer;
  readonly key: Buffer;
}

const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9_-]{16,})\$([A-Za-z0-9_-]{22,})$/;

function parse(stored: string): ParsedHash | undefined {
  const m = PHC.exec(stored);
  if (!m) return undefined;
  const [ln, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (ln < 1 || ln > 22 || r < 1 || p < 1) return undefined;
  const key = Buffer.from(m[5] ?? '', 'base64url');
  return {
    params: { N: 2 ** ln, r, p, keyLength: key.length },
    salt: Buffer.from(m[4] ?? '', 'base64url'),
    key,
  };
}

/** Compares in constant time; a malformed stored hash never matches. */
export async function verifyPassword(password: string, stored: string, derive: Derive): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  const key = await derive(normalize(password), parsed.salt, parsed.params);
  return key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
}

/** True when the stored hash was made with weaker parameters than the current ones. */
export function needsRehash(stored: string, params: ScryptParams): boolean {
  const parsed = parse(stored);
  if (!parsed) return true;
  const p = parsed.params;
  return p.N < params.N || p.r < params.r || p.p < params.p || p.keyLength < params.keyLength;
}

/**
 * A hash of a random password made with the current parameters: verifying against it costs what a real
 * verification costs, so an unknown username answers in about the same time as a wrong password.
 */
export class DummyHash {
  readonly #params: ScryptParams;
  readonly #derive: Derive;
  #hash: Promise<string> | undefined;

  constructor(params: ScryptParams, derive: Derive) {
    this.#params = params;
    this.#derive = derive;
  }

  /**
   * Makes the hash ahead of the first unknown username, so that one is not slower than the rest. A failure
   * (a busy or closing pool) is not kept: the next call tries again.
   */
  warm(): Promise<string> {
    const hash = (this.#hash ??= hashPassword(
      randomBytes(18).toString('base64url'),
      this.#params,
      this.#derive,
    ));
    hash.catch(() => {
      if (this.#hash === hash) this.#hash = undefined;
    });
    return hash;
  }

  /** Verifies against the dummy; false unless someone guessed 144 random bits. */
  async burn(password: string): Promise<boolean> {
    return verifyPassword(password, await this.warm(), this.#derive);
  }
}

/** The 10,000 most common passwords (see the header of common-passwords.txt for the source). */
const COMMON_PASSWORDS: ReadonlySet<string> = new Set(
  readFileSync(path.join(import.meta.dirname, 'common-passwords.txt'), 'utf8')
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#')),
);

/** Why a new password is refused, as a field error naming `field`, or undefined when it is acceptable. */
export function passwordProblem(
  password: string,
  context: { readonly username?: string; readonly email?: string },
  field = 'password',
): FieldError | undefined {
  const length = [...password].length;
  if (length < PASSWORD_MIN || length > PASSWORD_MAX) {
    return { path: field, message: `Must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters` };
  }
  const lower = normalize(password).toLowerCase();
  if (COMMON_PASSWORDS.has(lower)) return { path: field, message: 'This password is too common' };
  const own = [context.username, context.email, context.email?.split('@')[0]].filter(
    (v): v is string => typeof v === 'string' && v.length > 0,
  );
  if (own.some((v) => v.toLowerCase() === lower)) {
    return { path: field, message: 'The password must not be your username or email' };
  }
  return undefined;
}
