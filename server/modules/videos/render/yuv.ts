/**
 * RGBA → I420 (yuv420p, BT.601 limited range), the encoder's own pixel format, so ffmpeg spends its
 * (single-threaded) scaler on nothing and its cores on x264: measured, converting here only what changed
 * costs far less than ffmpeg converting every frame (see the README's speed section). Chroma is the mean of
 * each 2×2 block. Integer arithmetic in one pass over pairs of rows, reading whole pixels as 32-bit words.
 */

/** A rectangle of the frame in pixels, with even corners so that it holds whole 2×2 chroma blocks. */
export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Pixels as 32-bit words, R in the low byte (copied only when the bytes are unaligned or big-endian). */
function words(rgba: Uint8Array, n: number): Uint32Array {
  if (LITTLE_ENDIAN && rgba.byteOffset % 4 === 0) return new Uint32Array(rgba.buffer, rgba.byteOffset, n);
  const out = new Uint32Array(n);
  for (let i = 0, p = 0; i < n; i++, p += 4) {
    out[i] = ((rgba[p] as number) | ((rgba[p + 1] as number) << 8) | ((rgba[p + 2] as number) << 16)) >>> 0;
  }
  return out;
}

/**
 * Converts `rgba`, the pixels of `rect` (rect.w × rect.h × 4 bytes), into that rectangle of `out`, an I420
 * frame of `width` × `height` (both even); the rest of `out` is left as it is.
 */
export function rgbaToI420Rect(
  rgba: Uint8Array,
  rect: Rect,
  width: number,
  height: number,
  out: Buffer,
): Buffer {
  const { x, y, w, h } = rect;
  const px = words(rgba, w * h);
  const cw = width >> 1;
  const uOff = width * height;
  const vOff = uOff + cw * (height >> 1);
  for (let j = 0; j < h; j += 2) {
    const yTop = (y + j) * width + x;
    rowPair(px, j * w, w, out, yTop, yTop + width, ((y + j) >> 1) * cw + (x >> 1), uOff, vOff);
  }
  return out;
}

/** The whole frame (`width` × `height` RGBA, both even) as I420. */
export const rgbaToI420 = (rgba: Uint8Array, width: number, height: number, out: Buffer): Buffer =>
  rgbaToI420Rect(rgba, { x: 0, y: 0, w: width, h: height }, width, height, out);

export const i420Size = (width: number, height: number) => width * height + 2 * (width >> 1) * (height >> 1);

/**
 * Two rows of `w` pixels from `px` at `top` into the Y rows at `yTop` and `yBottom` and their chroma at `c`.
 * Its own function, called for every pair of rows: as one long loop inside the caller, V8 ran it as
 * on-stack-replaced code that was thrown away at every exit (hundreds of deoptimizations a video).
 */
function rowPair(
  px: Uint32Array,
  top: number,
  w: number,
  out: Buffer,
  yTop: number,
  yBottom: number,
  c: number,
  uOff: number,
  vOff: number,
): void {
  const bottom = top + w;
  for (let i = 0; i < w; i += 2) {
    const a = px[top + i] as number;
    const b = px[top + i + 1] as number;
    const d = px[bottom + i] as number;
    const e = px[bottom + i + 1] as number;
    const ar = a & 255, ag = (a >>> 8) & 255, ab = (a >>> 16) & 255; // prettier-ignore
    const br = b & 255, bg = (b >>> 8) & 255, bb = (b >>> 16) & 255; // prettier-ignore
    const dr = d & 255, dg = (d >>> 8) & 255, db = (d >>> 16) & 255; // prettier-ignore
    const er = e & 255, eg = (e >>> 8) & 255, eb = (e >>> 16) & 255; // prettier-ignore
    out[yTop + i] = (66 * ar + 129 * ag + 25 * ab + 4224) >> 8;
    out[yTop + i + 1] = (66 * br + 129 * bg + 25 * bb + 4224) >> 8;
    out[yBottom + i] = (66 * dr + 129 * dg + 25 * db + 4224) >> 8;
    out[yBottom + i + 1] = (66 * er + 129 * eg + 25 * eb + 4224) >> 8;
    const r = ar + br + dr + er;
    const g = ag + bg + dg + eg;
    const bl = ab + bb + db + eb;
    const k = c + (i >> 1);
    out[uOff + k] = (-38 * r - 74 * g + 112 * bl + 131584) >> 10;
    out[vOff + k] = (112 * r - 94 * g - 18 * bl + 131584) >> 10;
  }
}
