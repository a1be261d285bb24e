import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import * as assert from 'uvu/assert';
import { contractSuite } from '../support/contract.ts';
import type { Blobs } from '../../server/ports/blobs.ts';
import { isAppError } from '../../server/lib/errors.ts';

export interface MadeBlobs {
  readonly adapter: Blobs;
  /** Adapter-specific proof about how the 20 MB object was stored (S3: that it went multipart). */
  afterLargePut?(key: string): Promise<void>;
  cleanup(): Promise<void>;
}

const MiB = 1024 * 1024;

async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

async function sha256(body: Readable): Promise<{ hex: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of body) {
    hash.update(chunk as Uint8Array);
    bytes += (chunk as Uint8Array).length;
  }
  return { hex: hash.digest('hex'), bytes };
}

async function fetchStatus(url: string): Promise<number> {
  const response = await fetch(url);
  await response.arrayBuffer();
  return response.status;
}

/** The behaviour every Blobs adapter must share; registers one uvu suite and runs it. */
export function blobsContract(label: string, make: () => Promise<MadeBlobs>) {
  const { s, made } = contractSuite(`${label}: Blobs contract`, make);

  s('health answers', async (ctx) => {
    await made(ctx).adapter.health();
  });

  s('put/get round-trip keeps bytes and content type; a second put replaces', async (ctx) => {
    const blobs = made(ctx).adapter;
    const body = Buffer.from('hello, blobs ✓');
    await blobs.put('docs/hello.txt', body, { contentType: 'text/plain; charset=utf-8' });
    const got = await blobs.get('docs/hello.txt');
    assert.ok(got, 'stored blob found');
    // Some S3 servers (s3proxy) drop the optional space before a media-type parameter.
    assert.is(got.contentType.replace(/;\s*/g, ';'), 'text/plain;charset=utf-8');
    assert.is(got.contentLength, body.length);
    assert.ok((await readAll(got.body)).equals(body));

    await blobs.put('docs/hello.txt', Readable.from([Buffer.from('{"v":'), Buffer.from('2}')]), {
      contentType: 'application/json',
      contentLength: 7,
    });
    const replaced = await blobs.get('docs/hello.txt');
    assert.is(replaced?.contentType, 'application/json');
    assert.is((await readAll(replaced!.body)).toString(), '{"v":2}');
  });

  s('a 20 MB object round-trips byte for byte (sha256)', async (ctx) => {
    const { adapter: blobs, afterLargePut } = made(ctx);
    const chunks = Array.from({ length: 20 }, () => randomBytes(MiB));
    const expected = createHash('sha256');
    for (const chunk of chunks) expected.update(chunk);
    await blobs.put('large/20mb.bin', Readable.from(chunks), {
      contentType: 'application/octet-stream',
      contentLength: 20 * MiB,
    });
    await afterLargePut?.('large/20mb.bin');
    const got = await blobs.get('large/20mb.bin');
    assert.ok(got, 'large blob found');
    assert.is(got.contentLength, 20 * MiB);
    const actual = await sha256(got.body);
    assert.is(actual.bytes, 20 * MiB);
    assert.is(actual.hex, expected.digest('hex'));
    await blobs.delete('large/20mb.bin');
  });

  s('a signed URL serves the bytes to fetch()', async (ctx) => {
    const blobs = made(ctx).adapter;
    const key = "signed/sub(1)/it's_a-file!.bin";
    const body = randomBytes(64 * 1024);
    await blobs.put(key, body, { contentType: 'application/x-test' });
    const url = await blobs.signedUrl(key, { expiresInSeconds: 60 });
    const response = await fetch(url);
    assert.is(response.status, 200, `GET ${url}`);
    assert.is(response.headers.get('content-type'), 'application/x-test');
    assert.ok(Buffer.from(await response.arrayBuffer()).equals(body));
  });

  s('an expired or tampered signed URL is refused', async (ctx) => {
    const blobs = made(ctx).adapter;
    await blobs.put('signed/a.txt', Buffer.from('a'), { contentType: 'text/plain' });
    await blobs.put('signed/b.txt', Buffer.from('b'), { contentType: 'text/plain' });
    const short = await blobs.signedUrl('signed/a.txt', { expiresInSeconds: 1 });
    const good = new URL(await blobs.signedUrl('signed/a.txt', { expiresInSeconds: 60 }));
    assert.is(await fetchStatus(good.href), 200);

    for (const [name, value] of good.searchParams) {
      if (!/signature/i.test(name)) continue;
      const tampered = new URL(good);
      const last = value.at(-2) === 'A' ? 'B' : 'A';
      tampered.searchParams.set(name, value.slice(0, -2) + last + value.slice(-1));
      assert.not.equal(await fetchStatus(tampered.href), 200, 'a tampered signature is refused');
    }
    const otherKey = new URL(good);
    otherKey.pathname = otherKey.pathname.replace(/a\.txt$/, 'b.txt');
    assert.not.equal(await fetchStatus(otherKey.href), 200, 'a signature does not open another key');

    await sleep(2100);
    assert.not.equal(await fetchStatus(short), 200, 'an expired URL is refused');
  });

  s('bad keys are refused with an INVALID AppError', async (ctx) => {
    const blobs = made(ctx).adapter;
    const bad = ['../x', 'a/../b', 'a/./b', '/abs', '', 'sp ace', 'back\\slash', 'x'.repeat(513), 'a/..'];
    for (const key of bad) {
      const attempts: [string, Promise<unknown>][] = [
        ['put', blobs.put(key, Buffer.from('x'), { contentType: 'text/plain' })],
        ['get', blobs.get(key)],
        ['delete', blobs.delete(key)],
        ['signedUrl', blobs.signedUrl(key, { expiresInSeconds: 60 })],
      ];
      for (const [operation, attempt] of attempts) {
        const error = await attempt.then(
          () => undefined,
          (e: unknown) => e,
        );
        assert.ok(
          isAppError(error) && error.kind === 'INVALID',
          `${operation}(${JSON.stringify(key)}): ${error}`,
        );
      }
    }
  });

  s('a missing key is undefined; delete removes and may be repeated', async (ctx) => {
    const blobs = made(ctx).adapter;
    assert.is(await blobs.get('missing/nothing-here'), undefined);
    await blobs.put('gone/soon', Buffer.from('bye'), { contentType: 'text/plain' });
    const stored = await blobs.get('gone/soon');
    assert.ok(stored, 'stored before the delete');
    stored.body.destroy();
    await blobs.delete('gone/soon');
    assert.is(await blobs.get('gone/soon'), undefined);
    await blobs.delete('gone/soon');
    await blobs.delete('never/was');
  });

  s.run();
}
