/**
 * The I420 frames handed to the encoder, kept up to date from the canvas by reading back and converting only
 * the rectangles that changed, into a frame kept in WebAssembly memory (yuv-simd.ts). A frame handed out is
 * never written while a pipe write of it is pending (writes keep no copy): each changed frame is copied out
 * whole into a free buffer of a small pool. Reusing buffers matters as much as reading less: fresh memory
 * for every frame (and the garbage collection of it) cost more than the conversion.
 */
import type { SKRSContext2D } from '@napi-rs/canvas';
import { WasmI420Frame } from './yuv-simd.ts';
import { i420Size, type Rect } from './yuv.ts';

/** Beyond this share of the frame, one read-back of the whole frame costs less than several smaller ones. */
const WHOLE_FRAME = 0.6;

export class I420Frames {
  private readonly width: number;
  private readonly height: number;
  private readonly bytes: number;
  private readonly free: Buffer[] = [];
  /** Writes pending per buffer. */
  private readonly pending = new Map<Buffer, number>();
  private current: Buffer | undefined;
  /** The frame being put together: converted into, rectangle by rectangle, then copied out whole. */
  private readonly frame: WasmI420Frame;

  constructor(width: number, height: number) {
    this.width = width;
    this.height = height;
    this.bytes = i420Size(width, height);
    this.frame = new WasmI420Frame(width, height);
  }

  /** The current frame, after reading `changed` (or everything, for the first frame) from `ctx`. */
  update(ctx: SKRSContext2D, changed: readonly Rect[]): Buffer {
    const { width, height } = this;
    const area = changed.reduce((sum, r) => sum + r.w * r.h, 0);
    const whole = !this.current || area >= width * height * WHOLE_FRAME;
    if (!whole && area === 0) return this.current as Buffer;
    if (whole) this.read(ctx, { x: 0, y: 0, w: width, h: height });
    else for (const rect of changed) this.read(ctx, rect);
    const next = this.frame.copyTo(this.take());
    const previous = this.current;
    this.current = next;
    this.release(previous);
    return next;
  }

  /** Marks `frame` as being written; call the returned function once the write is done with it. */
  lend(frame: Buffer): () => void {
    this.pending.set(frame, (this.pending.get(frame) ?? 0) + 1);
    return () => {
      const left = (this.pending.get(frame) ?? 1) - 1;
      if (left > 0) this.pending.set(frame, left);
      else {
        this.pending.delete(frame);
        this.release(frame);
      }
    };
  }

  /** Reads `rect` back into the frame, widened by a column pair where that lets SIMD convert it. */
  private read(ctx: SKRSContext2D, rect: Rect): void {
    const r = fourWide(rect, this.width);
    const { data } = ctx.getImageData(r.x, r.y, r.w, r.h);
    this.frame.put(new Uint8Array(data.buffer, data.byteOffset, data.length), r);
  }

  private take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafe(this.bytes);
  }

  /** Back to the pool once it is neither the current frame nor being written. */
  private release(frame: Buffer | undefined): void {
    if (frame && frame !== this.current && !this.pending.has(frame)) this.free.push(frame);
  }
}

/** `rect` with a width of 4n where the frame has room for it (pixels read twice are converted twice, alike). */
function fourWide(rect: Rect, width: number): Rect {
  if (rect.w % 4 === 0) return rect;
  if (rect.x + rect.w + 2 <= width) return { ...rect, w: rect.w + 2 };
  if (rect.x >= 2) return { ...rect, x: rect.x - 2, w: rect.w + 2 };
  return rect;
}
