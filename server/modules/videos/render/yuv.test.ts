import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { assemble, WAT_FILES } from '../../../../scripts/build-wasm.ts';
import { WasmI420Frame } from './yuv-simd.ts';
import { i420Size, rgbaToI420Rect } from './yuv.ts';

const test = suite('RGBA → I420: WebAssembly SIMD and JavaScript agree');

test('any pixels, any rectangle (a width of 4n or not): the same bytes, the rest of the frame untouched', () => {
  fc.assert(
    fc.property(
      fc.record({ cols: fc.integer({ min: 1, max: 12 }), rows: fc.integer({ min: 1, max: 10 }) }),
      fc.integer({ min: 0, max: 20 }),
      fc.integer({ min: 0, max: 20 }),
      fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      ({ cols, rows }, ox, oy, seed) => {
        const rect = { x: ox * 2, y: oy * 2, w: cols * (seed % 5 ? 4 : 2), h: rows * 2 };
        const width = rect.x + rect.w + 2 * (seed % 3);
        const height = rect.y + rect.h + 2 * (seed % 2);
        const rgba = new Uint8Array(rect.w * rect.h * 4);
        let s = seed;
        for (let i = 0; i < rgba.length; i++) rgba[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
        const expected = Buffer.alloc(i420Size(width, height));
        rgbaToI420Rect(rgba, rect, width, height, expected);
        const frame = new WasmI420Frame(width, height);
        frame.put(rgba, rect);
        const actual = frame.copyTo(Buffer.alloc(i420Size(width, height), 7));
        assert.ok(actual.equals(expected), JSON.stringify({ rect, width, height }));
      },
    ),
    { numRuns: 300 },
  );
});

test('extremes (black, white, saturated colours) and a whole 1080×1080 frame', () => {
  const size = 1080;
  const rgba = new Uint8Array(size * size * 4);
  const colours = [0, 255, 0xff0000, 0x00ff00, 0x0000ff, 0xffff00, 0x00ffff, 0xff00ff];
  for (let p = 0; p < size * size; p++) {
    const c = colours[(p >> 3) % colours.length] as number;
    rgba.set(
      [c >> 16 || (c === 255 ? 255 : 0), (c >> 8) & 255 || (c === 255 ? 255 : 0), c & 255, 255],
      p * 4,
    );
  }
  const rect = { x: 0, y: 0, w: size, h: size };
  const expected = Buffer.alloc(i420Size(size, size));
  rgbaToI420Rect(rgba, rect, size, size, expected);
  const frame = new WasmI420Frame(size, size);
  frame.put(rgba, rect);
  assert.ok(frame.copyTo(Buffer.alloc(i420Size(size, size))).equals(expected));
});

test('yuv.wasm is yuv.wat assembled', async () => {
  for (const file of WAT_FILES) {
    const committed = readFileSync(file.replace(/\.wat$/, '.wasm'));
    assert.ok(committed.equals(await assemble(file)), `${file}: run node scripts/build-wasm.ts`);
  }
});

test.run();
