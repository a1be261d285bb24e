/**
 * An I420 frame kept in WebAssembly memory and updated a rectangle at a time by the RGBA → I420 conversion of
 * yuv.ts in WebAssembly SIMD (yuv.wat, assembled by scripts/build-wasm.ts): the same integer arithmetic, a few
 * times faster than the JavaScript, which stays for rectangles whose width is not a multiple of 4. The
 * rectangle's pixels are copied in, converted straight into the frame's planes, and the frame is copied out
 * whole once a frame's rectangles are in.
 */
import { readFileSync } from 'node:fs';
import { i420Size, rgbaToI420Rect, type Rect } from './yuv.ts';

/** The little of the WebAssembly API used here (TypeScript declares it only in the DOM's libraries). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const MODULE = new wasm.Module(readFileSync(new URL('./yuv.wasm', import.meta.url)));
const PAGE = 65536;

type Convert = (...args: [src: number, w: number, h: number, ...planes: number[]]) => void;

export class WasmI420Frame {
  private readonly width: number;
  private readonly height: number;
  /** The frame's bytes, at the start of the memory; the pixels to convert go after it, at `pixels`. */
  private readonly bytes: number;
  private readonly pixels: number;
  private readonly memory: WasmMemory;
  private readonly convert: Convert;

  constructor(width: number, height: number) {
    this.width = width;
    this.height = height;
    this.bytes = i420Size(width, height);
    this.pixels = Math.ceil(this.bytes / 16) * 16;
    const { exports } = new wasm.Instance(MODULE, {});
    this.memory = exports.memory as WasmMemory;
    this.convert = exports.rgbaToI420 as Convert;
    this.reserve(this.bytes);
  }

  /** Converts `rgba`, the pixels of `rect` (even corners), into that rectangle of the frame. */
  put(rgba: Uint8Array, rect: Rect): void {
    const { width, height } = this;
    if (rect.w % 4 !== 0) {
      rgbaToI420Rect(rgba, rect, width, height, this.frame());
      return;
    }
    const src = this.pixels;
    this.reserve(src + rect.w * rect.h * 4);
    new Uint8Array(this.memory.buffer).set(rgba.subarray(0, rect.w * rect.h * 4), src);
    const cw = width >> 1;
    const u = width * height;
    const v = u + cw * (height >> 1);
    const chroma = (rect.y >> 1) * cw + (rect.x >> 1);
    this.convert(src, rect.w, rect.h, rect.y * width + rect.x, width, u + chroma, v + chroma, cw);
  }

  /** The frame as it stands, copied into `out`. */
  copyTo(out: Buffer): Buffer {
    this.frame().copy(out);
    return out;
  }

  /** A view of the frame in the memory (valid until the memory grows). */
  private frame(): Buffer {
    return Buffer.from(this.memory.buffer, 0, this.bytes);
  }

  private reserve(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (have < bytes) this.memory.grow(Math.ceil((bytes - have) / PAGE));
  }
}
