import { createCanvas, loadImage } from '@napi-rs/canvas';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isAppError } from '../../lib/errors.ts';
import { decodePayload, headerDimensions, normalizePicture, sniff } from './picture.ts';

const s = suite('accounts: pictures');
const limits = { maxPixels: 40_000_000, size: 256 };

async function sample(format: 'png' | 'jpeg' | 'webp', width = 320, height = 200): Promise<Buffer> {
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#c33';
  ctx.fillRect(0, 0, width, height);
  if (format === 'png') return canvas.encode('png');
  return canvas.encode(format, 80);
}

function kindOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return isAppError(error) ? `${error.kind} ${error.code}` : String(error);
  }
}

s('types come from magic bytes; dimensions from the header alone', async () => {
  for (const format of ['png', 'jpeg', 'webp'] as const) {
    const bytes = await sample(format, 321, 123);
    assert.is(sniff(bytes), format);
    assert.equal(headerDimensions(bytes, format), { width: 321, height: 123 }, format);
  }
  assert.is(sniff(Buffer.from('GIF89a....')), undefined);
  assert.is(sniff(Buffer.from('<svg></svg>')), undefined);
});

s('payloads: base64 or a base64 data URL; size judged before decoding; junk refused', () => {
  const bytes = Buffer.from([1, 2, 3, 4, 5]);
  assert.equal(decodePayload(bytes.toString('base64'), 10), bytes);
  assert.equal(decodePayload(`data:image/png;base64,${bytes.toString('base64')}`, 10), bytes);
  assert.equal(decodePayload(bytes.toString('base64url'), 10), bytes);
  assert.is(
    kindOf(() => decodePayload(Buffer.alloc(11).toString('base64'), 10)),
    'TOO_LARGE PICTURE.TOO_LARGE',
  );
  assert.is(
    kindOf(() => decodePayload('data:image/png,rawtext', 10)),
    'INVALID PICTURE.INVALID_IMAGE',
  );
  assert.is(
    kindOf(() => decodePayload('abc$', 10)),
    'INVALID PICTURE.INVALID_IMAGE',
  );
  assert.is(
    kindOf(() => decodePayload('a', 10)),
    'INVALID PICTURE.INVALID_IMAGE',
  );
});

s('re-encoded to a 256×256 WebP without the original metadata', async () => {
  const jpeg = await sample('jpeg', 640, 480);
  const exif = Buffer.from('Exif\0\0GPS-SECRET-LOCATION');
  const segment = Buffer.alloc(4);
  segment.writeUInt16BE(0xffe1, 0);
  segment.writeUInt16BE(exif.length + 2, 2);
  const tagged = Buffer.concat([jpeg.subarray(0, 2), segment, exif, jpeg.subarray(2)]);
  const out = await normalizePicture(tagged, limits);
  assert.is(sniff(out), 'webp');
  assert.not.ok(out.includes(Buffer.from('GPS-SECRET')), 'metadata stripped');
  const image = await loadImage(out);
  assert.equal([image.width, image.height], [256, 256]);
});

s('non-images are 415, corrupt images 400, pixel bombs 413 before decoding', async () => {
  const fail = async (bytes: Buffer, max = limits.maxPixels) => {
    try {
      await normalizePicture(bytes, { ...limits, maxPixels: max });
      return 'ok';
    } catch (error) {
      return isAppError(error) ? error.kind : String(error);
    }
  };
  assert.is(await fail(Buffer.from('%PDF-1.7 not an image')), 'UNSUPPORTED_MEDIA');
  const png = await sample('png');
  assert.is(await fail(Buffer.concat([png.subarray(0, 30), Buffer.alloc(100)])), 'INVALID');
  assert.is(await fail(png, 1000), 'TOO_LARGE');
  assert.is(await fail(png), 'ok');
});

s.run();
