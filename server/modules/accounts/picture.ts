import { createCanvas, loadImage } from '@napi-rs/canvas';
import { AppError } from '../../lib/errors.ts';

export type ImageType = 'jpeg' | 'png' | 'webp';

const invalidImage = (message: string) =>
  new AppError('PICTURE.INVALID_IMAGE', message, { kind: 'INVALID', fields: [{ path: 'image', message }] });

const DATA_URL = /^data:[^,;]{0,100}((?:;[^,;]{0,100}){0,5}),/;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/**
 * The bytes of a base64 string or a `data:` URL. The size is judged from the encoded length before anything
 * is decoded (413 past `maxBytes`); the media type a data URL claims is ignored, the content decides.
 */
export function decodePayload(image: string, maxBytes: number): Buffer {
  let data = image;
  const prefix = DATA_URL.exec(image.slice(0, 700));
  if (image.startsWith('data:')) {
    if (!prefix || !prefix[1]?.split(';').includes('base64'))
      throw invalidImage('Must be base64 or a base64 data URL');
    data = image.slice(prefix[0].length);
  }
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  const decodedSize = Math.floor((data.length * 3) / 4) - padding;
  if (decodedSize > maxBytes) {
    throw new AppError('PICTURE.TOO_LARGE', `The image must not exceed ${maxBytes} bytes.`, {
      kind: 'TOO_LARGE',
    });
  }
  if (data.length === 0 || data.length % 4 === 1 || !BASE64.test(data))
    throw invalidImage('Must be valid base64');
  return Buffer.from(data, data.includes('-') || data.includes('_') ? 'base64url' : 'base64');
}

/** The type by magic bytes, whatever the client claimed. */
export function sniff(bytes: Buffer): ImageType | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (
    bytes.length >= 8 &&
    bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  ) {
    return 'png';
  }
  if (
    bytes.length >= 12 &&
    bytes.toString('latin1', 0, 4) === 'RIFF' &&
    bytes.toString('latin1', 8, 12) === 'WEBP'
  ) {
    return 'webp';
  }
  return undefined;
}

export interface Dimensions {
  readonly width: number;
  readonly height: number;
}

function jpegDimensions(b: Buffer): Dimensions | undefined {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1] ?? 0;
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
    i += 2 + b.readUInt16BE(i + 2);
  }
  return undefined;
}

function webpDimensions(b: Buffer): Dimensions | undefined {
  if (b.length < 30) return undefined;
  const chunk = b.toString('latin1', 12, 16);
  if (chunk === 'VP8 ') return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
  if (chunk === 'VP8L') {
    const [b0 = 0, b1 = 0, b2 = 0, b3 = 0] = b.subarray(21, 25);
    return {
      width: 1 + (b0 | ((b1 & 0x3f) << 8)),
      height: 1 + ((b1 >> 6) | (b2 << 2) | ((b3 & 0x0f) << 10)),
    };
  }
  if (chunk === 'VP8X') return { width: 1 + b.readUIntLE(24, 3), height: 1 + b.readUIntLE(27, 3) };
  return undefined;
}

/** Width and height from the header alone, so a decompression bomb is refused before it is decoded. */
export function headerDimensions(bytes: Buffer, type: ImageType): Dimensions | undefined {
  if (type === 'png') {
    if (bytes.length < 24 || bytes.toString('latin1', 12, 16) !== 'IHDR') return undefined;
    return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  }
  return type === 'jpeg' ? jpegDimensions(bytes) : webpDimensions(bytes);
}

/**
 * Checks an uploaded picture and re-encodes it as a `size`×`size` WebP, centre-cropped. Re-encoding drops
 * every metadata block (EXIF, GPS, ICC comments) and anything smuggled after the image data.
 */
export async function normalizePicture(
  bytes: Buffer,
  limits: { readonly maxPixels: number; readonly size: number },
): Promise<Buffer> {
  const type = sniff(bytes);
  if (!type) {
    throw new AppError('PICTURE.UNSUPPORTED_TYPE', 'The image must be a JPEG, PNG or WebP file.', {
      kind: 'UNSUPPORTED_MEDIA',
    });
  }
  const dims = headerDimensions(bytes, type);
  if (!dims || dims.width < 1 || dims.height < 1) throw invalidImage('The image is corrupt');
  if (dims.width * dims.height > limits.maxPixels) {
    throw new AppError('PICTURE.TOO_MANY_PIXELS', `The image must not exceed ${limits.maxPixels} pixels.`, {
      kind: 'TOO_LARGE',
    });
  }
  let image: Awaited<ReturnType<typeof loadImage>>;
  try {
    image = await loadImage(bytes);
  } catch {
    throw invalidImage('The image is corrupt');
  }
  const { width, height } = image;
  if (width < 1 || height < 1 || width * height > limits.maxPixels)
    throw invalidImage('The image is corrupt');
  const side = Math.min(width, height);
  const canvas = createCanvas(limits.size, limits.size);
  const ctx = canvas.getContext('2d');
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(image, (width - side) / 2, (height - side) / 2, side, side, 0, 0, limits.size, limits.size);
  return canvas.encode('webp', 85);
}
