import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Readable } from 'node:stream';
import type { BlobObject, Blobs, PutOptions } from '../../ports/blobs.ts';
import { BLOB_KEY_PATTERN } from '../../ports/blobs.ts';
import { AppError, invalid } from '../../lib/errors.ts';
import type { Logger } from '../../lib/log.ts';
import { defaultIsRetriable, retry, type RetryOptions } from '../../lib/retry.ts';

export interface S3BlobsOptions {
  readonly endpoint: string;
  readonly bucket: string;
  readonly region: string;
  /** Without them the SDK's default credential chain applies. */
  readonly accessKeyId?: string | undefined;
  readonly secretAccessKey?: string | undefined;
  readonly logger: Logger;
  readonly retry?: Pick<RetryOptions, 'attempts' | 'baseDelayMs' | 'maxDelayMs'>;
}

const MiB = 1024 * 1024;
/** Objects above one part go multipart; two parts in flight bound memory to ~16 MiB per upload. */
const PART_SIZE = 8 * MiB;
const QUEUE_SIZE = 2;

const errorName = (error: unknown) => (error as { name?: unknown } | null)?.name;
const status = (error: unknown) =>
  (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;

/**
 * Any S3-compatible store (path-style addressing, so s3proxy/MinIO work). Idempotent calls go through
 * the project's retry helper; the SDK's own retries are off so the two layers never multiply.
 */
export class S3Blobs implements Blobs {
  readonly name = 'blobs-s3';
  /** Exposed for instrumentation (metrics middleware, tests counting UploadPart calls). */
  readonly client: S3Client;
  readonly #bucket: string;
  readonly #logger: Logger;
  readonly #retry: RetryOptions;

  constructor(options: S3BlobsOptions) {
    this.#bucket = options.bucket;
    this.#logger = options.logger;
    this.client = new S3Client({
      endpoint: options.endpoint,
      region: options.region,
      forcePathStyle: true,
      maxAttempts: 1,
      // S3-compatible servers do not all know the newer default CRC checksums.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      ...(options.accessKeyId && options.secretAccessKey
        ? { credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } }
        : {}),
    });
    this.#retry = {
      attempts: 3,
      baseDelayMs: 100,
      maxDelayMs: 2000,
      ...options.retry,
      onRetry: (error, attempt, delayMs) =>
        this.#logger.warn({ err: error, attempt, delayMs, bucket: this.#bucket }, 's3 call failed, retrying'),
    };
  }

  /** Creates the bucket unless it exists; safe when several nodes start at once. */
  async ensureBucket(): Promise<void> {
    const Bucket = this.#bucket;
    await this.#idempotent('ensure bucket', async () => {
      try {
        await this.client.send(new HeadBucketCommand({ Bucket }));
        return;
      } catch (error) {
        if (status(error) !== 404 && errorName(error) !== 'NotFound') throw error;
      }
      try {
        await this.client.send(new CreateBucketCommand({ Bucket }));
        this.#logger.info({ bucket: Bucket }, 'created blob bucket');
      } catch (error) {
        if (errorName(error) !== 'BucketAlreadyOwnedByYou') throw error;
      }
    });
  }

  async put(key: string, body: Buffer | Readable, options: PutOptions): Promise<void> {
    this.#check(key);
    const upload = () =>
      new Upload({
        client: this.client,
        params: { Bucket: this.#bucket, Key: key, Body: body, ContentType: options.contentType },
        partSize: PART_SIZE,
        queueSize: QUEUE_SIZE,
        leavePartsOnError: false,
      }).done();
    try {
      // A buffer can be sent again; a stream cannot be rewound, so it gets exactly one attempt.
      if (Buffer.isBuffer(body)) await retry(upload, this.#retry);
      else await upload();
    } catch (error) {
      throw this.#wrap(error, 'put');
    }
  }

  async get(key: string): Promise<BlobObject | undefined> {
    this.#check(key);
    const object = await this.#idempotent('get', async () => {
      try {
        return await this.client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
      } catch (error) {
        if (errorName(error) === 'NoSuchKey' || status(error) === 404) return undefined;
        throw error;
      }
    });
    if (!object?.Body) return undefined;
    return {
      body: object.Body as Readable,
      contentType: object.ContentType ?? 'application/octet-stream',
      contentLength: object.ContentLength ?? 0,
    };
  }

  async delete(key: string): Promise<void> {
    this.#check(key);
    await this.#idempotent('delete', () =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key })),
    );
  }

  async signedUrl(key: string, options: { readonly expiresInSeconds: number }): Promise<string> {
    this.#check(key);
    try {
      return await getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.#bucket, Key: key }), {
        expiresIn: Math.max(1, Math.ceil(options.expiresInSeconds)),
      });
    } catch (error) {
      throw this.#wrap(error, 'signedUrl');
    }
  }

  async health(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.#bucket }));
    } catch (error) {
      throw this.#wrap(error, 'health');
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  #check(key: string) {
    if (!BLOB_KEY_PATTERN.test(key)) throw invalid('BLOBS.INVALID_KEY', 'invalid blob key');
  }

  async #idempotent<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await retry(fn, this.#retry);
    } catch (error) {
      throw this.#wrap(error, operation);
    }
  }

  #wrap(error: unknown, operation: string): AppError {
    if (error instanceof AppError) return error;
    this.#logger.error({ err: error, operation, bucket: this.#bucket }, 'blob storage failed');
    return new AppError('BLOBS.UNAVAILABLE', 'blob storage is unavailable', {
      kind: 'UNAVAILABLE',
      retriable: defaultIsRetriable(error),
      cause: error,
    });
  }
}

/** Builds the adapter and makes sure its bucket exists. */
export async function createS3Blobs(options: S3BlobsOptions): Promise<S3Blobs> {
  const blobs = new S3Blobs(options);
  try {
    await blobs.ensureBucket();
    return blobs;
  } catch (error) {
    await blobs.close();
    throw error;
  }
}
