import type { Readable } from 'node:stream';

/**
 * Blob storage. Adapters: blobs-s3 (S3-compatible, multipart for large objects, presigned GETs) and
 * blobs-fs (files under DATA_DIR/blobs, served by the app through expiring HMAC-signed URLs).
 * Keys are server-made: `[A-Za-z0-9!_.*'()/-]`, no `..` segment, no leading slash, at most 512 chars.
 */
export interface PutOptions {
  readonly contentType: string;
  /** Required when `body` is a stream of unknown length for adapters that need it; optional otherwise. */
  readonly contentLength?: number;
}

export interface BlobObject {
  readonly body: Readable;
  readonly contentType: string;
  readonly contentLength: number;
}

export interface Blobs {
  readonly name: string;
  put(key: string, body: Buffer | Readable, options: PutOptions): Promise<void>;
  get(key: string): Promise<BlobObject | undefined>;
  delete(key: string): Promise<void>;
  /** A URL anyone can GET until it expires. */
  signedUrl(key: string, options: { readonly expiresInSeconds: number }): Promise<string>;
  health(): Promise<void>;
  close(): Promise<void>;
}

export const BLOB_KEY_PATTERN = /^(?!\/)(?!.*(?:^|\/)\.\.?(?:\/|$))[A-Za-z0-9!_.*'()/-]{1,512}$/;
