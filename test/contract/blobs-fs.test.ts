import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseRange } from '../../server/adapters/signed-files.ts';
import { FsBlobs, type SignedBlobServer } from '../../server/adapters/blobs-fs/index.ts';
import { silentLogger } from '../../server/lib/log.ts';
import { blobsContract } from './blobs.contract.ts';

/** A stand-in for the app's `GET /files/*` route: decodes the key and asks openSigned. */
async function fileServer(blobs: () => SignedBlobServer) {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method !== 'GET' || !url.pathname.startsWith('/files/')) {
      res.writeHead(404).end();
      return;
    }
    let key: string;
    try {
      key = url.pathname.slice('/files/'.length).split('/').map(decodeURIComponent).join('/');
    } catch {
      res.writeHead(400).end();
      return;
    }
    const expires = url.searchParams.get('expires') ?? '';
    const signature = url.searchParams.get('signature') ?? '';
    blobs()
      .openSigned(key, expires, signature)
      .then((blob) => {
        if (!blob) {
          res.writeHead(403).end();
          return;
        }
        res.writeHead(200, { 'content-type': blob.contentType, 'content-length': blob.contentLength });
        blob.body.pipe(res);
      })
      .catch(() => res.writeHead(500).end());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return {
    origin: `http://127.0.0.1:${address.port}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

blobsContract('blobs-fs', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'dojo-blobs-'));
  const late: { adapter?: FsBlobs } = {};
  const server = await fileServer(() => late.adapter!);
  const adapter = new FsBlobs({
    dir,
    publicUrl: server.origin,
    secret: randomBytes(32),
    logger: silentLogger(),
  });
  late.adapter = adapter;
  return {
    adapter,
    afterLargePut: async () => {
      const names = await readdir(path.join(dir, 'large'));
      assert.equal(names.sort(), ['20mb.bin~blob', '20mb.bin~meta.json'], 'no temp file is left behind');
    },
    cleanup: async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

const s = suite('blobs-fs: signing and failed writes');

s('openSigned refuses a URL signed with another secret, a wrong expiry, or a bad key', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'dojo-blobs-'));
  try {
    const options = { dir, publicUrl: 'http://files.test/', logger: silentLogger() };
    const blobs = new FsBlobs({ ...options, secret: randomBytes(32) });
    const other = new FsBlobs({ ...options, secret: randomBytes(32) });
    await blobs.put('k/v.txt', Buffer.from('v'), { contentType: 'text/plain' });
    const url = new URL(await blobs.signedUrl('k/v.txt', { expiresInSeconds: 60 }));
    assert.is(url.origin + url.pathname, 'http://files.test/files/k/v.txt');
    const expires = url.searchParams.get('expires')!;
    const signature = url.searchParams.get('signature')!;
    const opened = await blobs.openSigned('k/v.txt', expires, signature);
    assert.ok(opened);
    opened.body.destroy();
    assert.is(await other.openSigned('k/v.txt', expires, signature), undefined, 'another secret');
    assert.is(await blobs.openSigned('k/v.txt', String(Number(expires) + 1), signature), undefined);
    assert.is(await blobs.openSigned('../k/v.txt', expires, signature), undefined);
    assert.is(await blobs.openSigned('k/v.txt', expires, ''), undefined);
    assert.is(await blobs.openSigned('k/v.txt', 'soon', signature), undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

s('openSigned with a byte range streams only those bytes (what a video player seeks with)', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'dojo-blobs-'));
  try {
    const blobs = new FsBlobs({
      dir,
      publicUrl: 'http://files.test/',
      logger: silentLogger(),
      secret: randomBytes(32),
    });
    await blobs.put('k/v.bin', Buffer.from('0123456789'), { contentType: 'application/octet-stream' });
    const url = new URL(await blobs.signedUrl('k/v.bin', { expiresInSeconds: 60 }));
    const [expires, signature] = [url.searchParams.get('expires')!, url.searchParams.get('signature')!];
    const read = async (range: { start: number; end?: number }) => {
      const opened = await blobs.openSigned('k/v.bin', expires, signature, range);
      const chunks: Buffer[] = [];
      for await (const c of opened!.body) chunks.push(c as Buffer);
      return { text: Buffer.concat(chunks).toString(), size: opened!.contentLength };
    };
    assert.equal(await read({ start: 2, end: 4 }), { text: '234', size: 10 });
    assert.equal(await read({ start: 7 }), { text: '789', size: 10 });
    assert.equal(await read({ start: 8, end: 99 }), { text: '89', size: 10 });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

s('HTTP ranges: one range, open-ended and suffix forms; past the end is unsatisfiable', () => {
  assert.equal(parseRange('bytes=0-99', 1000), { start: 0, end: 99 });
  assert.equal(parseRange('bytes=900-', 1000), { start: 900, end: 999 });
  assert.equal(parseRange('bytes=-100', 1000), { start: 900, end: 999 });
  assert.equal(parseRange('bytes=990-5000', 1000), { start: 990, end: 999 });
  assert.is(parseRange('bytes=1000-', 1000), 'unsatisfiable');
  assert.is(parseRange('bytes=5-2', 1000), 'unsatisfiable');
  assert.is(parseRange('bytes=0-1,5-6', 1000), undefined, 'several ranges: the whole file');
  assert.is(parseRange('items=0-1', 1000), undefined);
  assert.is(parseRange(undefined, 1000), undefined);
});

s('a put whose stream fails or is short leaves the old blob and no temp file', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'dojo-blobs-'));
  try {
    const blobs = new FsBlobs({
      dir,
      publicUrl: 'http://x',
      secret: randomBytes(32),
      logger: silentLogger(),
    });
    await blobs.put('p/q', Buffer.from('old'), { contentType: 'text/plain' });
    const failing = new Readable({
      read() {
        this.push(Buffer.from('partial'));
        this.destroy(new Error('client went away'));
      },
    });
    const error = await blobs.put('p/q', failing, { contentType: 'text/html' }).catch((e: unknown) => e);
    assert.ok(error instanceof Error, 'the failed put rejects');
    const short = await blobs
      .put('p/q', Buffer.from('12'), { contentType: 'text/html', contentLength: 3 })
      .catch((e: { kind?: string }) => e.kind);
    assert.is(short, 'INVALID');
    const got = await blobs.get('p/q');
    assert.is(got?.contentType, 'text/plain');
    got?.body.destroy();
    assert.equal((await readdir(path.join(dir, 'p'))).sort(), ['q~blob', 'q~meta.json']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

s.run();
