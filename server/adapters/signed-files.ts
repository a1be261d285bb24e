import { pipeline } from 'node:stream/promises';
import { FILES_PATH } from '../../protocol/http.ts';
import type { PlainRoute } from '../http/types.ts';
import { AppError } from '../lib/errors.ts';
import type { SignedBlobServer } from './blobs-fs/index.ts';

/** `GET /files/<key>?expires=&signature=`: the embedded blob store's stand-in for a presigned S3 URL. */
export function signedFileRoute(blobs: SignedBlobServer): PlainRoute {
  return {
    method: 'GET',
    path: `${FILES_PATH}/*`,
    handler: async (req, res, params) => {
      const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
      const expires = query.get('expires');
      const signature = query.get('signature');
      const object =
        expires !== null && signature !== null
          ? await blobs.openSigned(params['*'] ?? '', expires, signature)
          : undefined;
      if (!object) {
        throw new AppError('FILES.NOT_FOUND', 'The link is invalid, expired, or the file is gone.', {
          kind: 'NOT_FOUND',
        });
      }
      res.statusCode = 200;
      res.setHeader('Content-Type', object.contentType);
      res.setHeader('Content-Length', String(object.contentLength));
      res.setHeader('Cache-Control', 'private, max-age=300');
      res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
      await pipeline(object.body, res);
    },
  };
}
