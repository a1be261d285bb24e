/**
 * The scenes' backgrounds, pre-rendered once per tint, and where they differ from one another. The scenes
 * share one gradient and differ only in their tinted rings and bottom bar, so a cross-fade from one
 * background to the next changes those parts of the frame alone: the painter tells the tracker so, instead
 * of the whole frame a tracked full-frame drawImage would mark (reading back and converting whole frames
 * was most of a fade's cost).
 */
import { createCanvas, type Canvas, type SKRSContext2D } from '@napi-rs/canvas';
import { drawBackground } from './style.ts';
import { mergeRects } from './tracking.ts';
import type { Rect } from './yuv.ts';

/** Tiles of the frame compared for differences (even, so rectangles keep whole chroma blocks). */
const TILE = 24;

export class Backgrounds {
  private readonly canvases = new Map<string, Canvas>();
  /** Rectangles outside which every background has the very same pixels. */
  readonly differ: readonly Rect[];
  /** What was last painted whole: a tint, or a cross-fade's two tints and mix. */
  private shown: string | undefined;

  /** `scale` and `offset` place the 1080-unit design in the frame, as the painter places the scenes. */
  constructor(
    tints: readonly string[],
    frame: {
      readonly width: number;
      readonly height: number;
      readonly scale: number;
      readonly offset: readonly [number, number];
    },
  ) {
    const { width, height, scale, offset } = frame;
    for (const tint of tints) {
      if (this.canvases.has(tint)) continue;
      const bg = createCanvas(width, height);
      // Opaque: Skia then copies it rather than blending it (a third less time a frame).
      const b = bg.getContext('2d', { alpha: false });
      b.fillStyle = '#0b1026';
      b.fillRect(0, 0, width, height);
      b.setTransform(scale, 0, 0, scale, offset[0], offset[1]);
      drawBackground(b, tint);
      this.canvases.set(tint, bg);
    }
    // Joined into a few rectangles: the tracker compares and joins them again on every frame.
    this.differ = mergeRects(differingTiles([...this.canvases.values()], width, height));
  }

  /**
   * Paints the background of a scene, cross-faded from the previous scene's while `mix` < 1, straight onto
   * `ctx` (not through the tracker: the caller notes `differ` instead), and leaves globalAlpha at 1. When the
   * canvas already holds this very background but for the content drawn on it since, `over` bounds that
   * content, and only those rectangles are painted again (most frames change a fifth of the picture or less,
   * and drawing the whole background was most of the drawing's cost).
   */
  paint(
    ctx: SKRSContext2D,
    tint: string,
    previous: string | undefined,
    mix: number,
    over?: readonly Rect[],
  ): void {
    const fading = previous !== undefined && previous !== tint && mix < 1;
    const key = fading ? `${previous} ${tint} ${mix}` : tint;
    if (!fading && over && this.shown === key) {
      const bg = this.get(tint);
      for (const r of over) ctx.drawImage(bg, r.x, r.y, r.w, r.h, r.x, r.y, r.w, r.h);
      return;
    }
    this.shown = key;
    if (fading) ctx.drawImage(this.get(previous), 0, 0);
    ctx.globalAlpha = fading ? mix : 1;
    ctx.drawImage(this.get(tint), 0, 0);
    ctx.globalAlpha = 1;
  }

  private get(tint: string): Canvas {
    const canvas = this.canvases.get(tint);
    if (!canvas) throw new Error(`no background for ${tint}`);
    return canvas;
  }
}

/** The tiles where any of `canvases` differs from the first, joined into rows of adjacent tiles. */
function differingTiles(canvases: readonly Canvas[], width: number, height: number): Rect[] {
  const [first, ...rest] = canvases.map((c) => new Uint32Array(new Uint8Array(c.data()).buffer));
  if (!first) return [];
  const rects: Rect[] = [];
  for (let y = 0; y < height; y += TILE) {
    const h = Math.min(TILE, height - y);
    let run: Rect | undefined;
    for (let x = 0; x < width; x += TILE) {
      const w = Math.min(TILE, width - x);
      if (tileDiffers(first, rest, width, { x, y, w, h })) {
        run = run ? { ...run, w: x + w - run.x } : { x, y, w, h };
        continue;
      }
      if (run) rects.push(run);
      run = undefined;
    }
    if (run) rects.push(run);
  }
  return rects;
}

function tileDiffers(first: Uint32Array, rest: readonly Uint32Array[], width: number, r: Rect): boolean {
  for (let j = r.y; j < r.y + r.h; j++) {
    for (let i = r.x; i < r.x + r.w; i++) {
      const p = j * width + i;
      for (const other of rest) if (other[p] !== first[p]) return true;
    }
  }
  return false;
}
