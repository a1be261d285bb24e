/**
 * Which parts of a frame can differ from the last painted one, found without reading pixels back (the
 * expensive part of a frame). The painter and the scenes draw through `DrawTracker.ctx`, a proxy of the real
 * 2D context that notes every drawing call as a key (the call, its arguments, the transform and every state
 * property it was drawn with) and a conservative device-space box. The calls of two frames are compared in
 * order: a pixel outside the boxes of the calls that differ is touched by the same calls, in the same order,
 * with the same state, in both frames, so it is the same. Calls it cannot bound make the whole frame dirty.
 */
import type { SKRSContext2D } from '@napi-rs/canvas';
import type { Rect } from './yuv.ts';

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

interface Call {
  readonly key: string;
  readonly box: Box;
  /** Drawn outside the proxy and noted (see `note`). */
  readonly noted?: true;
}

/** Anti-aliasing and hinting may reach a little past a shape's geometry. */
const MARGIN = 3;
/** Path building calls whose extent is easy to bound (arcs by their whole circle)… */
const PATH_CALLS = new Set(['rect', 'roundRect', 'arc', 'moveTo', 'lineTo', 'closePath']);
/** …and those whose extent is not bounded here: a path with one of them may cover the whole frame. */
const CURVES = new Set(['quadraticCurveTo', 'bezierCurveTo', 'arcTo', 'ellipse']);
/**
 * Calls that draw nothing. Transforms are among them: every drawing call's key holds the transform it was
 * drawn with.
 */
const PASSIVE = new Set([
  'measureText',
  'getTransform',
  'getImageData',
  'isPointInPath',
  'isPointInStroke',
  'getLineDash',
  'getContextAttributes',
  'createLinearGradient',
  'createRadialGradient',
  'createConicGradient',
  'createPattern',
  'createImageData',
  'setTransform',
  'resetTransform',
  'transform',
  'translate',
  'scale',
  'rotate',
]);
/** State properties that cannot change what a kind of drawing call paints (all others are in its key). */
const TEXT = ['font', 'textAlign', 'textBaseline', 'direction', 'letterSpacing', 'wordSpacing'];
const LINES = ['lineWidth', 'lineCap', 'lineJoin', 'miterLimit', 'lineDashOffset', 'lineDash'];
const IRRELEVANT: Readonly<Record<Kind, ReadonlySet<string>>> = {
  image: new Set(['fillStyle', 'strokeStyle', ...TEXT, ...LINES]),
  fill: new Set(['strokeStyle', ...TEXT, ...LINES]),
  text: new Set(['strokeStyle', ...LINES]),
  stroke: new Set(['fillStyle', ...TEXT]),
  other: new Set(),
};
type Kind = 'image' | 'fill' | 'text' | 'stroke' | 'other';
const KINDS: Readonly<Record<string, Kind>> = {
  drawImage: 'image',
  fill: 'fill',
  fillRect: 'fill',
  clearRect: 'fill',
  fillText: 'text',
  stroke: 'stroke',
  strokeRect: 'stroke',
  strokeText: 'stroke',
};

type Matrix = readonly [number, number, number, number, number, number];

export class DrawTracker {
  /** Draw through this: the real context, observed. */
  readonly ctx: SKRSContext2D;
  private readonly target: SKRSContext2D;
  private readonly full: Box;
  private calls: Call[] = [];
  private previous: Call[] = [];
  /** Every state property set so far, as drawn with (save/restore keep a stack of them). */
  private state = new Map<string, string>();
  private readonly saved: Map<string, string>[] = [];
  private stateKeys = new Map<Kind, string>();
  private nextId = 0;
  private first = true;
  private path = '';
  private pathBox: Box = empty();
  private readonly ids = new WeakMap<object, number>();

  constructor(target: SKRSContext2D, width: number, height: number) {
    this.target = target;
    this.full = { x0: 0, y0: 0, x1: width, y1: height };
    const methods = new Map<PropertyKey, unknown>();
    this.ctx = new Proxy(target, {
      get: (t, prop) => {
        const value: unknown = Reflect.get(t, prop, t);
        if (typeof value !== 'function') return value;
        let wrapped = methods.get(prop);
        if (!wrapped) {
          const fn = value as (...args: unknown[]) => unknown;
          wrapped = (...args: unknown[]) => this.call(String(prop), fn, args);
          methods.set(prop, wrapped);
        }
        return wrapped;
      },
      set: (t, prop, value: unknown) => {
        Reflect.set(t, prop, value, t);
        // As the context holds it: an ignored value (an unknown colour, NaN) leaves the previous one.
        this.setState(String(prop), this.describe(Reflect.get(t, prop, t)));
        return true;
      },
    });
  }

  /**
   * Ends a frame: the rectangles (even corners, within the frame, merged) that can differ from the previous
   * frame's, or the whole frame as one rectangle.
   */
  changes(): Rect[] {
    const boxes: Box[] = [];
    const n = Math.max(this.calls.length, this.previous.length);
    for (let i = 0; i < n; i++) {
      const now = this.calls[i];
      const before = this.previous[i];
      if (now?.key === before?.key) continue;
      if (now) boxes.push(now.box);
      if (before) boxes.push(before.box);
    }
    const first = this.first;
    this.first = false;
    this.previous = this.calls;
    this.calls = [];
    // Nothing was painted before: the whole frame is new, whatever the calls cover.
    if (first) return [{ x: 0, y: 0, w: this.full.x1, h: this.full.y1 }];
    return this.rects(boxes);
  }

  private rects(boxes: readonly Box[]): Rect[] {
    return merge(boxes.map((b) => this.evenWithin(b)).filter((b) => b.x1 > b.x0 && b.y1 > b.y0));
  }

  /**
   * Where the last frame's calls through the proxy drew (not what was noted), as `changes` gives rectangles,
   * or nothing before the first frame: whatever was there before they drew is there again once these are
   * painted over.
   */
  drawnBefore(): Rect[] | undefined {
    if (this.first) return undefined;
    return this.rects(this.previous.filter((c) => !c.noted).map((c) => c.box));
  }

  /**
   * Notes drawing done straight on the target, outside the proxy: `key` says what was drawn and `rects`
   * bound every pixel it can have changed. Compared like any call, in order.
   */
  note(key: string, rects: readonly Rect[]): void {
    rects.forEach((r, i) =>
      this.calls.push({
        key: `note ${key} ${i}`,
        box: { x0: r.x, y0: r.y, x1: r.x + r.w, y1: r.y + r.h },
        noted: true,
      }),
    );
  }

  private call(name: string, fn: (...args: unknown[]) => unknown, args: unknown[]): unknown {
    if (name === 'save') this.saved.push(new Map(this.state));
    else if (name === 'restore') {
      this.state = this.saved.pop() ?? this.state;
      this.stateKeys.clear();
    } else if (name === 'beginPath') {
      this.path = '';
      this.pathBox = empty();
    } else if (name === 'setLineDash') this.setState('lineDash', JSON.stringify(args[0]));
    else if (PATH_CALLS.has(name) || CURVES.has(name)) this.addToPath(name, args);
    else if (!PASSIVE.has(name)) {
      if (name === 'reset') {
        this.state.clear();
        this.stateKeys.clear();
      }
      this.record(name, args);
    }
    return fn.apply(this.target, args);
  }

  private setState(name: string, value: string): void {
    this.state.set(name, value);
    this.stateKeys.clear();
  }

  private stateKey(kind: Kind): string {
    let key = this.stateKeys.get(kind);
    if (key === undefined) {
      const skip = IRRELEVANT[kind];
      key = [...this.state]
        .filter(([k]) => !skip.has(k))
        .map(([k, v]) => `${k}=${v}`)
        .join(';');
      this.stateKeys.set(kind, key);
    }
    return key;
  }

  private addToPath(name: string, args: unknown[]): void {
    const m = this.matrix();
    this.path += `${name}(${args.map((a) => this.describe(a)).join()})${m.join()};`;
    const [a = 0, b = 0, c = 0, d = 0] = args as number[];
    if (CURVES.has(name)) this.pathBox = { ...this.full };
    else if (name === 'rect' || name === 'roundRect') extend(this.pathBox, m, a, b, a + c, b + d);
    else if (name === 'arc') extend(this.pathBox, m, a - c, b - c, a + c, b + c);
    else if (name !== 'closePath') extend(this.pathBox, m, a, b, a, b);
  }

  /** A call that draws, or changes state in a way not seen as a property (clips, …). */
  private record(name: string, args: unknown[]): void {
    const m = this.matrix();
    const state = this.stateKey(KINDS[name] ?? 'other');
    const key = `${name}(${args.map((a) => this.describe(a)).join()})|${m.join()}|${state}`;
    const usesPath = name === 'fill' || name === 'stroke' || name === 'clip';
    this.calls.push({ key: usesPath ? `${key}|${this.path}` : key, box: this.boxOf(name, args, m) });
  }

  private boxOf(name: string, args: unknown[], m: Matrix): Box {
    const [a = 0, b = 0, c = 0, d = 0] = args.filter((x) => typeof x === 'number');
    const box = empty();
    switch (name) {
      case 'fill':
        if (args.length > 0) return this.full; // a Path2D argument: not tracked
        return grow({ ...this.pathBox }, MARGIN);
      case 'stroke': {
        if (args.length > 0) return this.full;
        const width = Number(this.target.lineWidth) * Math.hypot(m[0], m[1], m[2], m[3]);
        return grow({ ...this.pathBox }, MARGIN + width * 2);
      }
      case 'fillRect':
      case 'strokeRect':
      case 'clearRect':
        extend(box, m, a, b, a + c, b + d);
        return grow(box, MARGIN + (name === 'strokeRect' ? Number(this.target.lineWidth) * 2 : 0));
      case 'fillText':
      case 'strokeText': {
        const text = String(args[0]);
        const metrics = this.target.measureText(text);
        extend(
          box,
          m,
          a - metrics.actualBoundingBoxLeft,
          b - metrics.actualBoundingBoxAscent,
          a + metrics.actualBoundingBoxRight,
          b + metrics.actualBoundingBoxDescent,
        );
        return grow(box, MARGIN + (name === 'strokeText' ? Number(this.target.lineWidth) * 2 : 0));
      }
      case 'drawImage': {
        const image = args[0] as { width: number; height: number };
        if (args.length === 3) extend(box, m, a, b, a + image.width, b + image.height);
        else if (args.length === 5) extend(box, m, a, b, a + c, b + d);
        else return this.full;
        return grow(box, MARGIN);
      }
      default:
        return this.full; // transforms, clips, pixels put back, anything new: assume everything changes
    }
  }

  private matrix(): Matrix {
    const t = this.target.getTransform();
    return [t.a, t.b, t.c, t.d, t.e, t.f];
  }

  private describe(value: unknown): string {
    if (value !== null && (typeof value === 'object' || typeof value === 'function')) {
      let id = this.ids.get(value);
      if (id === undefined) this.ids.set(value, (id = this.nextId++));
      return `#${id}`;
    }
    return String(value);
  }

  private evenWithin(b: Box): Box {
    const { x1: w, y1: h } = this.full;
    return {
      x0: Math.max(0, Math.floor(b.x0 / 2) * 2),
      y0: Math.max(0, Math.floor(b.y0 / 2) * 2),
      x1: Math.min(w, Math.ceil(b.x1 / 2) * 2),
      y1: Math.min(h, Math.ceil(b.y1 / 2) * 2),
    };
  }
}

const empty = (): Box => ({ x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity });

function grow(b: Box, by: number): Box {
  return { x0: b.x0 - by, y0: b.y0 - by, x1: b.x1 + by, y1: b.y1 + by };
}

/** Widens `box` to hold the rectangle (x0, y0)–(x1, y1) of user space once transformed by `m`. */
function extend(box: Box, m: Matrix, x0: number, y0: number, x1: number, y1: number): void {
  corner(box, m, x0, y0);
  corner(box, m, x1, y0);
  corner(box, m, x0, y1);
  corner(box, m, x1, y1);
}

function corner(box: Box, m: Matrix, x: number, y: number): void {
  const dx = m[0] * x + m[2] * y + m[4];
  const dy = m[1] * x + m[3] * y + m[5];
  box.x0 = Math.min(box.x0, dx);
  box.y0 = Math.min(box.y0, dy);
  box.x1 = Math.max(box.x1, dx);
  box.y1 = Math.max(box.y1, dy);
}

const area = (b: Box) => (b.x1 - b.x0) * (b.y1 - b.y0);

/**
 * Joins boxes that overlap, or whose union costs little more than the two apart (each read-back has a fixed
 * cost), until none do. A box that grows is compared again with all the others; nothing is allocated for a
 * pair that stays apart (this runs for every frame, over up to a hundred boxes).
 */
function merge(boxes: readonly Box[]): Rect[] {
  const out = [...boxes];
  for (let joined = true; joined;) {
    joined = false;
    for (let i = 0; i < out.length; i++) {
      for (let j = i + 1; j < out.length; j++) {
        const a = out[i] as Box;
        const b = out[j] as Box;
        const x0 = Math.min(a.x0, b.x0);
        const y0 = Math.min(a.y0, b.y0);
        const x1 = Math.max(a.x1, b.x1);
        const y1 = Math.max(a.y1, b.y1);
        if ((x1 - x0) * (y1 - y0) > area(a) + area(b) + 20_000) continue;
        out[i] = { x0, y0, x1, y1 };
        out.splice(j, 1);
        joined = true;
        j = i; // the grown box against every other again
      }
    }
  }
  return out.map((b) => ({ x: b.x0, y: b.y0, w: b.x1 - b.x0, h: b.y1 - b.y0 }));
}

/** Rectangles joined as the tracker joins its boxes. */
export const mergeRects = (rects: readonly Rect[]): Rect[] =>
  merge(rects.map((r) => ({ x0: r.x, y0: r.y, x1: r.x + r.w, y1: r.y + r.h })));
