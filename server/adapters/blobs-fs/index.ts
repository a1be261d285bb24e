import { randomBytes } from 'node:crypto';
import { constants, createWriteStream } from 'node:fs';
import { access, mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BlobObject, Blobs, PutOptions } from '../../ports/blobs.ts';
import { BLOB_KEY_PATTERN } from '../../ports/blobs.ts';
import { AppError, invalid, unavailable } from '../../lib/errors.ts';
import type { Logger } from '../../lib/log.ts';
import { encodeKeyPath, sign, verify } from './signing.ts';

export interface FsBlobsOptions {
  readonly dir: string;
  /** Origin (and optional path) the app is reached at; signed URLs point at `${publicUrl}/files/...`. */
  readonly publicUrl: string;
  readonly secret: Buffer;
  readonly logger: Logger;
  /** Injected for tests; defaults to Date.now. */
  readonly now?: () => number;
}

/** What the HTTP layer mounts on `GET /files/*` to serve the URLs `signedUrl` hands out. */
export interface SignedBlobServer {
  /** The blob, or undefined when the signature is wrong, expired, or the blob is missing. */
  /** With `range`, the body is only those bytes (inclusive; clamped to the file); contentLength stays the whole size. */
  openSigned(
    key: string,
    expires: string,
    signature: string,
    range?: ByteRange,
  ): Promise<BlobObject | undefined>;
}

/** A single HTTP byte range: `end` undefined means to the end of the file. */
export interface ByteRange {
  readonly start: number;
  readonly end?: number;
}

// `~` cannot occur in a key, so these suffixes never collide with a key or a key's directory.
const DATA = '~blob';
const META = '~meta.json';

interface Meta {
  readonly contentType: string;
}

/**
 * Blobs as files under `dir`: `<key>~blob` plus a `<key>~meta.json` sidecar with the content type. Writes
 * go to a temp file that is fsynced and renamed, so a put that resolved survives a crash and a reader
 * never sees half a file.
 */
export class FsBlobs implements Blobs, SignedBlobServer {
  readonly name = 'blobs-fs';
  readonly #dir: string;
  readonly #publicUrl: string;
  readonly #secret: Buffer;
  readonly #logger: Logger;
  readonly #now: () => number;

  constructor(options: FsBlobsOptions) {
    if (options.secret.length < 16) throw new Error('blobs-fs needs a signing secret of at least 16 bytes');
    this.#dir = path.resolve(options.dir);
    this.#publicUrl = options.publicUrl.replace(/\/+$/, '');
    this.#secret = options.secret;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
  }

  async put(key: string, body: Buffer | Readable, options: PutOptions): Promise<void> {
    const file = this.#file(key);
    const temp = `${file}~tmp-${randomBytes(6).toString('hex')}`;
    try {
      await mkdir(path.dirname(file), { recursive: true });
      if (Buffer.isBuffer(body)) await writeFile(temp + DATA, body, { flag: 'wx', flush: true });
      else await pipeline(body, createWriteStream(temp + DATA, { flags: 'wx', flush: true }));
      const { size } = await stat(temp + DATA);
      if (options.contentLength !== undefined && options.contentLength !== size) {
        throw invalid('BLOBS.LENGTH_MISMATCH', `expected ${options.contentLength} bytes, got ${size}`);
      }
      const meta: Meta = { contentType: options.contentType };
      await writeFile(temp + META, JSON.stringify(meta), { flag: 'wx', flush: true });
      // Sidecar first: a reader that finds the new data file also finds its content type.
      await rename(temp + META, file + META);
      await rename(temp + DATA, file + DATA);
      await this.#syncDir(path.dirname(file));
    } catch (error) {
      const discard = (file: string) => rm(file, { force: true }).catch(() => undefined);
      await Promise.all([discard(temp + DATA), discard(temp + META)]);
      throw this.#wrap(error, 'put');
    }
  }

  get(key: string): Promise<BlobObject | undefined> {
    return this.#read(key);
  }

  async #read(key: string, range?: ByteRange): Promise<BlobObject | undefined> {
    const file = this.#file(key);
    try {
      const handle = await open(file + DATA, 'r').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
        throw error;
      });
      if (!handle) return undefined;
      try {
        // The size comes from the open file, so it always matches the bytes the stream will deliver.
        const { size } = await handle.stat();
        const meta = await this.#meta(file);
        const body =
          range && range.start < size
            ? handle.createReadStream({ start: range.start, end: Math.min(size - 1, range.end ?? size - 1) })
            : handle.createReadStream();
        return { body, contentType: meta.contentType, contentLength: size };
      } catch (error) {
        await handle.close();
        throw error;
      }
    } catch (error) {
      throw this.#wrap(error, 'get');
    }
  }

  async delete(key: string): Promise<void> {
    const file = this.#file(key);
    try {
      await rm(file + DATA, { force: true });
      await rm(file + META, { force: true });
    } catch (error) {
      throw this.#wrap(error, 'delete');
    }
  }

  async signedUrl(key: string, options: { readonly expiresInSeconds: number }): Promise<string> {
    this.#file(key);
    const expires = String(Math.floor(this.#now() / 1000) + Math.max(1, Math.ceil(options.expiresInSeconds)));
    const query = new URLSearchParams({ expires, signature: sign(this.#secret, key, expires) });
    return `${this.#publicUrl}/files/${encodeKeyPath(key)}?${query}`;
  }

  async openSigned(
    key: string,
    expires: string,
    signature: string,
    range?: ByteRange,
  ): Promise<BlobObject | undefined> {
    if (!BLOB_KEY_PATTERN.test(key)) return undefined;
    if (!verify(this.#secret, key, expires, signature, this.#now())) return undefined;
    return this.#read(key, range);
  }

  async health(): Promise<void> {
    try {
      await mkdir(this.#dir, { recursive: true });
      await access(this.#dir, constants.W_OK);
    } catch (error) {
      throw this.#wrap(error, 'health');
    }
  }

  async close(): Promise<void> {}

  #file(key: string): string {
    if (!BLOB_KEY_PATTERN.test(key)) throw invalid('BLOBS.INVALID_KEY', 'invalid blob key');
    return path.join(this.#dir, key);
  }

  async #meta(file: string): Promise<Meta> {
    try {
      return JSON.parse(await readFile(file + META, 'utf8')) as Meta;
    } catch (error) {
      // Only a blob written by hand lacks its sidecar; serve it as opaque bytes.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        return { contentType: 'application/octet-stream' };
      throw error;
    }
  }

  /** Makes the renames themselves durable, not just the file contents. */
  async #syncDir(dir: string) {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  #wrap(error: unknown, operation: string): AppError {
    if (error instanceof AppError) return error;
    this.#logger.error({ err: error, operation }, 'blob storage failed');
    return unavailable('BLOBS.UNAVAILABLE', 'blob storage is unavailable', error);
  }
}
