/**
 * Where each participant's tile sits in the frame: a grid of ⌈√n⌉ columns (1 → one tile, 2 → side by side,
 * 3–4 → 2×2, 5–6 → 3×2, 7–9 → 3×3, …) with a small gutter, the grid centered, an incomplete last row
 * centered too. Every coordinate and size is even, so that yuv420p chroma lines up with the tile edges.
 */
export interface Tile {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

const evenDown = (n: number) => Math.max(0, Math.floor(n / 2) * 2);
const evenSize = (n: number) => Math.max(2, evenDown(n));

export function gridShape(count: number): { cols: number; rows: number } {
  const cols = Math.max(1, Math.ceil(Math.sqrt(count)));
  return { cols, rows: Math.max(1, Math.ceil(count / cols)) };
}

export function gridLayout(count: number, width: number, height: number): Tile[] {
  if (count <= 0) return [];
  const { cols, rows } = gridShape(count);
  const gap = count === 1 ? 0 : evenDown(Math.round(height / 90));
  const w = evenSize((width - gap * (cols + 1)) / cols);
  const h = evenSize((height - gap * (rows + 1)) / rows);
  const top = evenDown((height - rows * h - (rows - 1) * gap) / 2);
  const tiles: Tile[] = [];
  for (let i = 0; i < count; i++) {
    const row = Math.floor(i / cols);
    const inRow = Math.min(cols, count - row * cols);
    const left = evenDown((width - inRow * w - (inRow - 1) * gap) / 2);
    tiles.push({ x: left + (i % cols) * (w + gap), y: top + row * (h + gap), w, h });
  }
  return tiles;
}
