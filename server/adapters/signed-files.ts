import { pipeline } from 'node:stream/promises';
import { FILES_PATH } from '../../protocol/http.ts';
import type { PlainRoute } from '../http/types.ts';
import { AppError } from '../lib/errors.ts';
import type { ByteRange, SignedBlobServer } from './blobs-fs/index.ts';

/** One `bytes=a-b` / `bytes=a-` / `bytes=-n` range (what video players ask); anything else: the whole file. */
export function parseRange(
  header: string | undefined,
  size: number,
): ByteRange | 'unsatisfiable' | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    return suffix === 0 ? 'unsatisfiable' : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(size - 1, Number(m[2]));
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

/** `GET /files/<key>?expires=&signature=`: the embedded blob store's stand-in for a presigned S3 URL. */
export function signedFileRoute(blobs: SignedBlobServer): PlainRoute {
  return {
    method: 'GET',
    path: `${FILES_PATH}/*`,
    handler: async (req, res, params) => {
      const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
      const expires = query.get('expires');
      const signature = query.get('signature');
      const open = (range?: ByteRange) =>
        expires !== null && signature !== null
          ? blobs.openSigned(params['*'] ?? '', expires, signature, range)
          : Promise.resolve(undefined);
      const header = req.headers.range;
      let object = await open();
      if (!object) {
        throw new AppError('FILES.NOT_FOUND', 'The link is invalid, expired, or the file is gone.', {
          kind: 'NOT_FOUND',
        });
      }
      const size = object.contentLength;
      const range = header ? parseRange(header, size) : undefined;
      res.setHeader('Accept-Ranges', 'bytes');
      if (range === 'unsatisfiable') {
        object.body.destroy();
        res.statusCode = 416;
        res.setHeader('Content-Range', `bytes */${size}`);
        res.end();
        return;
      }
      if (range) {
        // Seeking in a video: the same file again, from the asked byte (the whole-file stream is dropped).
        object.body.destroy();
        object = (await open(range)) ?? object;
        const end = range.end ?? size - 1;
        res.statusCode = 206;
        res.setHeader('Content-Range', `bytes ${range.start}-${end}/${size}`);
        res.setHeader('Content-Length', String(end - range.start + 1));
      } else {
        res.statusCode = 200;
        res.setHeader('Content-Length', String(size));
      }
      res.setHeader('Content-Type', object.contentType);
      res.setHeader('Cache-Control', 'private, max-age=300');
      res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
      await pipeline(object.body, res);
    },
  };
}
