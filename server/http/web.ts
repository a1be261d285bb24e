/**
 * Serves the browser app (`web/dist`, built by `npm run build:web`) at `/`: a file of the build when the
 * path names one, else `index.html` for the app's own routes (an SPA fallback), never for the API's paths.
 * Hashed files under `/assets/` are immutable for a year; everything else (index.html) is revalidated on
 * every load, so a deploy is picked up at once. Text files are gzipped once per build and kept in memory.
 * Without a build, `/` answers a page saying how to make one.
 */
import { createReadStream, type Stats } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { HttpRequest, HttpResponse } from './types.ts';

/** The server's own paths: a miss under one of them is the API's 404, never the app's page. */
export const SERVER_PREFIXES: readonly string[] = [
  '/v1',
  '/files',
  '/matchmake',
  '/socket.io',
  '/.well-known',
  '/openapi.json',
  '/healthz',
  '/readyz',
  '/metrics',
];

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
};
const COMPRESSIBLE = /^(text\/|application\/json|image\/svg)/;
const gzip = promisify(gzipCallback);
const typeOf = (file: string) => TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';

/**
 * The app's pages need more than the API's `default-src 'none'`: its own scripts, styles and sockets;
 * pictures, recordings and videos may come from the blob store's signed URLs on another origin.
 */
export const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob: https: http:",
  "media-src 'self' blob: https: http:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Dojo: the web app is not built</title></head>
<body><h1>The web app is not built yet</h1>
<p>Run <code>npm run build:web</code> (or <code>npm ci</code>, which builds it) and reload this page.
The API is up: see <a href="/openapi.json">/openapi.json</a>.</p></body></html>`;

export interface WebAppOptions {
  /** The Vite build's output directory. */
  readonly distDir: string;
}

interface Cached {
  readonly mtimeMs: number;
  readonly gzip: Buffer;
}

/** Whether `pathname` is one of the server's own paths (or below one). */
export const isServerPath = (pathname: string): boolean =>
  SERVER_PREFIXES.some((p) => pathname === p || pathname.startsWith(`${p}/`) || pathname.startsWith(`${p}?`));

/**
 * A fallback for the front door: called for a GET or HEAD no route matched; answers and returns true for
 * the app's paths, returns false for the server's own (which then get the API's 404).
 */
export function webApp(options: WebAppOptions): (req: HttpRequest, res: HttpResponse) => boolean {
  const root = path.resolve(options.distDir);
  const gzipped = new Map<string, Promise<Cached>>();

  /** Compressed off the event loop (zlib's thread pool), once per file and build. */
  async function gzipOf(file: string, info: Stats): Promise<Buffer> {
    const hit = gzipped.get(file);
    if (hit) {
      const cached = await hit;
      if (cached.mtimeMs === info.mtimeMs) return cached.gzip;
    }
    const made = readFile(file).then(async (bytes) => ({
      mtimeMs: info.mtimeMs,
      gzip: await gzip(bytes, { level: 9 }),
    }));
    gzipped.set(file, made);
    made.catch(() => gzipped.delete(file));
    return (await made).gzip;
  }

  // The first visitor should not wait for the compression: do it for the build's text files at once.
  void readdir(path.join(root, 'assets'))
    .then((names) =>
      Promise.all(
        names
          .filter((name) => COMPRESSIBLE.test(typeOf(name)))
          .map(async (name) => {
            const file = path.join(root, 'assets', name);
            await gzipOf(file, await stat(file));
          }),
      ),
    )
    .catch(() => undefined); // no build yet: `/` says how to make one

  async function fileAt(pathname: string): Promise<{ file: string; info: Stats } | undefined> {
    const file = path.join(root, pathname);
    if (file !== root && !file.startsWith(`${root}${path.sep}`)) return undefined;
    const info = await stat(file).catch(() => undefined);
    return info?.isFile() ? { file, info } : undefined;
  }

  async function send(req: HttpRequest, res: HttpResponse, file: string, info: Stats, immutable: boolean) {
    const type = typeOf(file);
    const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
    res.setHeader('Content-Type', type);
    res.setHeader('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    res.setHeader('ETag', etag);
    res.setHeader('Vary', 'Accept-Encoding');
    if (type.startsWith('text/html')) res.setHeader('Content-Security-Policy', APP_CSP);
    if (req.headers['if-none-match'] === etag) {
      res.statusCode = 304;
      res.end();
      return;
    }
    const acceptsGzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    if (acceptsGzip && COMPRESSIBLE.test(type) && info.size > 1024) {
      const body = await gzipOf(file, info);
      res.setHeader('Content-Encoding', 'gzip');
      res.setHeader('Content-Length', body.length);
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    res.setHeader('Content-Length', info.size);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const stream = createReadStream(file);
      stream.once('error', reject);
      res.once('close', resolve);
      stream.pipe(res);
    });
  }

  async function serve(req: HttpRequest, res: HttpResponse, pathname: string): Promise<void> {
    const found = pathname !== '/' ? await fileAt(pathname) : undefined;
    if (found) return send(req, res, found.file, found.info, pathname.startsWith('/assets/'));
    // A missing file (a name with an extension, or under /assets/) is a 404, not the app's page.
    if (pathname.startsWith('/assets/') || /\.[a-z0-9]+$/i.test(pathname)) {
      res.statusCode = 404;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end('Not found');
      return;
    }
    const index = await fileAt('/index.html');
    if (!index) {
      res.statusCode = 404;
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
      res.end(NOT_BUILT);
      return;
    }
    return send(req, res, index.file, index.info, false);
  }

  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      return false;
    }
    if (isServerPath(pathname) || pathname.includes('\0')) return false;
    serve(req, res, pathname).catch(() => {
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end();
      } else res.destroy();
    });
    return true;
  };
}
