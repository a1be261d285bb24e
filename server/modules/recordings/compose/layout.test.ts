import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { gridLayout, gridShape } from './layout.ts';

test('the grid grows by count: 1, side by side, 2×2, 3×2, 3×3, 4×3', () => {
  const shapes = [1, 2, 3, 4, 5, 6, 7, 9, 10, 12].map((n) => {
    const { cols, rows } = gridShape(n);
    return `${n}:${cols}x${rows}`;
  });
  assert.equal(shapes, [
    '1:1x1',
    '2:2x1',
    '3:2x2',
    '4:2x2',
    '5:3x2',
    '6:3x2',
    '7:3x3',
    '9:3x3',
    '10:4x3',
    '12:4x3',
  ]);
});

test('one participant fills the frame', () => {
  assert.equal(gridLayout(1, 1280, 720), [{ x: 0, y: 0, w: 1280, h: 720 }]);
});

test('tiles are even, inside the frame, and never overlap', () => {
  for (let n = 1; n <= 16; n++) {
    const tiles = gridLayout(n, 1280, 720);
    assert.is(tiles.length, n);
    for (const t of tiles) {
      for (const v of [t.x, t.y, t.w, t.h]) assert.ok(v % 2 === 0, `odd ${v} for ${n}`);
      assert.ok(t.x >= 0 && t.y >= 0 && t.x + t.w <= 1280 && t.y + t.h <= 720, `outside for ${n}`);
    }
    for (const a of tiles)
      for (const b of tiles) {
        if (a === b) continue;
        const apart = a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
        assert.ok(apart, `overlap for ${n}`);
      }
  }
});

test('two side by side share a row; an incomplete last row is centered', () => {
  const [a, b] = gridLayout(2, 1280, 720);
  assert.is(a?.y, b?.y);
  assert.ok((a?.x ?? 0) < (b?.x ?? 0));
  const three = gridLayout(3, 1280, 720);
  const last = three[2];
  assert.ok(last && Math.abs(last.x + last.w / 2 - 640) <= 2, 'third tile centered');
  assert.ok(last && last.y > (three[0]?.y ?? 0), 'third tile on the second row');
});

test('no participants, no tiles', () => {
  assert.equal(gridLayout(0, 1280, 720), []);
});

test.run();
