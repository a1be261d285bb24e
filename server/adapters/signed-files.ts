import { pipeline } from 'node:stream/promises';
import type { RequestHandler } from 'express';
import { AppError } from '../lib/errors.ts';
import type { SignedBlobServer } from './blobs-fs/index.ts';

/** `GET /files/<key>?expires=&signature=`: the embedded blob store's stand-in for a presigned S3 URL. */
export function signedFileRoute(blobs: SignedBlobServer): RequestHandler {
  return async (req, res, next) => {
    try {
      const raw = (req.params as { key?: string | string[] }).key;
      const key = Array.isArray(raw) ? raw.join('/') : (raw ?? '');
      const { expires, signature } = req.query;
      const object =
        typeof expires === 'string' && typeof signature === 'string'
          ? await blobs.openSigned(key, expires, signature)
          : undefined;
      if (!object) {
        throw new AppError('FILES.NOT_FOUND', 'The link is invalid, expired, or the file is gone.', {
          kind: 'NOT_FOUND',
        });
      }
      res.status(200);
      res.setHeader('Content-Type', object.contentType);
      res.setHeader('Content-Length', String(object.contentLength));
      res.setHeader('Cache-Control', 'private, max-age=300');
      res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
      await pipeline(object.body, res);
    } catch (error) {
      next(error);
    }
  };
}
