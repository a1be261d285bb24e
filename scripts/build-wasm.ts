/**
 * Assembles the WebAssembly text files of the renderer into the binaries committed beside them
 * (`npm run build:wasm`; with `--check` it only says whether they are up to date). They are kept in git so
 * that running the system needs no assembler; server/modules/videos/render/yuv.test.ts fails when one is
 * stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import wabt from 'wabt';

export const WAT_FILES = [path.join(import.meta.dirname, '../server/modules/videos/render/yuv.wat')];

export async function assemble(file: string): Promise<Uint8Array> {
  const tools = await wabt();
  const module = tools.parseWat(path.basename(file), readFileSync(file, 'utf8'), { simd: true });
  try {
    module.validate();
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}

if (import.meta.main) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const file of WAT_FILES) {
    const binary = await assemble(file);
    const target = file.replace(/\.wat$/, '.wasm');
    if (check) {
      let current: Buffer | undefined;
      try {
        current = readFileSync(target);
      } catch {
        current = undefined;
      }
      if (!current?.equals(binary)) stale++;
    } else writeFileSync(target, binary);
  }
  if (stale) {
    console.error(`${stale} WebAssembly binaries are stale: run node scripts/build-wasm.ts`);
    process.exit(1);
  }
}
