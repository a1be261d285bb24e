/**
 * The video's scenes in order, with their durations, and the drawing of one frame at a time: the scene's
 * pre-rendered background (cross-faded from the previous scene's), then its content faded and slid in and out
 * with ease-in-out. Empty scenes are skipped; a year without POCs gets a next-steps scene instead, so every
 * video lasts 20 s or more.
 */
import { createCanvas, type Canvas, type SKRSContext2D } from '@napi-rs/canvas';
import { Backgrounds } from './backgrounds.ts';
import type { YearInReviewData } from './data.ts';
import { count, languages, opening, tags, type Draw } from './scenes.ts';
import { dojos, ending, favorites, nextSteps, tier } from './scenes-more.ts';
import { accent, easeInOut, SIZE } from './style.ts';
import { DrawTracker } from './tracking.ts';
import type { Rect } from './yuv.ts';

export interface Scene {
  readonly name: string;
  readonly start: number;
  readonly duration: number;
  readonly tint: string;
  readonly draw: Draw;
  /** Scene time after which `draw` paints the same picture (its animations are over). */
  readonly settle: number;
}

const FADE_IN = 0.6;
const FADE_OUT = 0.5;

export function scenesFor(data: YearInReviewData): Scene[] {
  const p = data.pocs;
  // name, seconds, tint, draw, settle (the end of its last animation in scenes.ts), shown
  const list: [string, number, string, Draw, number, boolean][] = [
    ['opening', 3, accent(1), opening, 1.6, true],
    ['count', 5, accent(0), count, 2.85, true],
    ['languages', 4, accent(2), languages, 2.15, p.languages.length > 0],
    ['tags', 4, accent(3), tags, 1.95, p.tags.length > 0],
    ['favorites', 4, accent(4), favorites, 1.95, p.favorites.length > 0],
    ['next-steps', 5.5, accent(3), nextSteps, 1.95, p.total === 0],
    ['dojos', 3.5, accent(2), dojos, 1.95, true],
    ['ending', 4.5, tier(data).color, ending, 1.65, true],
  ];
  const scenes: Scene[] = [];
  let start = 0;
  for (const [name, duration, tint, draw, settle, shown] of list) {
    if (!shown) continue;
    scenes.push({ name, start, duration, tint, draw, settle: Math.max(settle, FADE_IN) });
    start += duration;
  }
  // A sparse year (POCs but no languages, tags or favourites) still lasts 20 s: the last scenes linger.
  const short = Math.max(0, 20.5 - start);
  if (short > 0) {
    const last = scenes.length - 1;
    return scenes.map((s, i) =>
      i < last - 1
        ? s
        : { ...s, start: s.start + (i === last ? short / 2 : 0), duration: s.duration + short / 2 },
    );
  }
  return scenes;
}

export const totalDuration = (scenes: readonly Scene[]): number =>
  scenes.reduce((end, s) => Math.max(end, s.start + s.duration), 0);

function sceneAt(scenes: readonly Scene[], time: number): { scene: Scene; index: number } {
  let index = scenes.findIndex((s) => time < s.start + s.duration);
  if (index < 0) index = scenes.length - 1;
  return { scene: scenes[index] as Scene, index };
}

/** The scene whose still part (its animations over, its fade-out not begun) `time` is in, if any. */
function stillScene(scenes: readonly Scene[], time: number): Scene | undefined {
  const { scene, index } = sceneAt(scenes, time);
  const t = time - scene.start;
  const last = index === scenes.length - 1;
  return t >= scene.settle && (last || t < scene.duration - FADE_OUT) ? scene : undefined;
}

/** A frame shown again, unchanged, `extra` more times: the still part of a scene. */
export interface Hold {
  readonly frame: number;
  readonly extra: number;
}

/** The frames `holds` show again (those not drawn, nor piped). */
export const repeatedFrames = (held: readonly Hold[]): Set<number> =>
  new Set(held.flatMap((h) => Array.from({ length: h.extra }, (_, k) => h.frame + 1 + k)));

/**
 * The frames of a video of `frames` frames at `fps` that are the frame before them again (in the still part
 * of one scene), as runs after the frame they repeat. The painter paints none of them.
 */
export function holds(scenes: readonly Scene[], frames: number, fps: number): Hold[] {
  const out: Hold[] = [];
  for (let i = 1; i < frames; i++) {
    const still = stillScene(scenes, i / fps);
    if (!still || still !== stillScene(scenes, (i - 1) / fps)) continue;
    const last = out[out.length - 1];
    if (last && last.frame + last.extra === i - 1)
      out[out.length - 1] = { frame: last.frame, extra: last.extra + 1 };
    else out.push({ frame: i - 1, extra: 1 });
  }
  return out;
}

/**
 * Draws frames onto one reused canvas of the output size, and says which parts of it each frame changed
 * (see tracking.ts): the painter and the scenes draw through the tracker's context.
 */
export class FramePainter {
  readonly canvas: Canvas;
  readonly scenes: readonly Scene[];
  /** The canvas's own context, to read pixels from. */
  readonly pixels: SKRSContext2D;
  private readonly tracker: DrawTracker;
  private readonly ctx: SKRSContext2D;
  private readonly backgrounds: Backgrounds;
  private readonly data: YearInReviewData;
  private readonly scale: number;
  private readonly offset: readonly [number, number];
  private held: Scene | undefined;

  private readonly everything: boolean;

  /** `everything`: paint every frame whole, untracked (what tests hold the tracked frames against). */
  constructor(data: YearInReviewData, width: number, height: number, { everything = false } = {}) {
    this.everything = everything;
    this.data = data;
    this.scenes = scenesFor(data);
    this.canvas = createCanvas(width, height);
    this.pixels = this.canvas.getContext('2d');
    this.tracker = new DrawTracker(this.pixels, width, height);
    this.ctx = this.tracker.ctx;
    this.scale = Math.min(width, height) / SIZE;
    this.offset = [(width - SIZE * this.scale) / 2, (height - SIZE * this.scale) / 2];
    this.backgrounds = new Backgrounds(
      this.scenes.map((s) => s.tint),
      { width, height, scale: this.scale, offset: this.offset },
    );
  }

  get duration(): number {
    return totalDuration(this.scenes);
  }

  sceneAt(time: number): { scene: Scene; index: number } {
    return sceneAt(this.scenes, time);
  }

  /**
   * Paints the frame at `time` seconds into the canvas and returns the rectangles where it can differ from
   * the previously painted frame. When it would be the same picture as the previous call's (both in the
   * still part of one scene, between its animations and its fade-out), it paints nothing and returns none.
   */
  paint(time: number): Rect[] {
    const { scene, index } = this.sceneAt(time);
    const t = time - scene.start;
    const still = stillScene(this.scenes, time) === scene;
    if (this.everything) {
      this.draw(this.pixels, scene, index, t);
      return [{ x: 0, y: 0, w: this.canvas.width, h: this.canvas.height }];
    }
    if (still && this.held === scene) return [];
    this.held = still ? scene : undefined;
    this.draw(this.ctx, scene, index, t);
    return this.tracker.changes();
  }

  /** One frame through `ctx`: the tracker's, or the canvas's own (untracked). */
  private draw(ctx: SKRSContext2D, scene: Scene, index: number, t: number): void {
    const enter = easeInOut(t / FADE_IN);
    const exit =
      index === this.scenes.length - 1 ? 0 : easeInOut((t - (scene.duration - FADE_OUT)) / FADE_OUT);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.globalAlpha = 1;
    const previous = this.scenes[index - 1]?.tint;
    const mix = previous === undefined || previous === scene.tint ? 1 : enter;
    const tracked = ctx === this.ctx;
    this.backgrounds.paint(
      this.pixels,
      scene.tint,
      previous,
      mix,
      tracked ? this.tracker.drawnBefore() : undefined,
    );
    if (tracked) {
      this.tracker.note(`background ${scene.tint} ${previous ?? ''} ${mix}`, this.backgrounds.differ);
    }
    const alpha = index === 0 ? 1 : Math.min(enter, 1 - exit);
    if (alpha <= 0) return;
    ctx.globalAlpha = alpha;
    const slide = index === 0 ? 0 : 40 * (1 - enter) - 40 * exit;
    ctx.setTransform(this.scale, 0, 0, this.scale, this.offset[0], this.offset[1] + slide * this.scale);
    scene.draw(ctx, t, this.data);
  }

  /** The poster: the count scene fully shown (or the ending, were there no count scene). */
  posterTime(): number {
    const s = this.scenes.find((x) => x.name === 'count') ?? this.scenes[this.scenes.length - 1];
    return s ? s.start + s.duration - FADE_OUT - 0.05 : 0;
  }
}
