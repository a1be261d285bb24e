/**
 * The built app the server serves, and what its first page costs: builds web/dist when it is missing,
 * and sums the gzip size of the JavaScript that index.html loads before anything else (its module
 * script, modulepreloads and their static imports; not the lazy chunks).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const DIST = path.join(ROOT, 'web', 'dist');

export function ensureWebBuild(): void {
  if (existsSync(path.join(DIST, 'index.html'))) return;
  execFileSync(path.join(ROOT, 'node_modules', '.bin', 'vite'), ['build', 'web', '--logLevel', 'warn'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}

/** Files of the first page's JavaScript and their total gzip size (level 9, as the server sends them). */
export function firstPageJs(): { files: string[]; gzipBytes: number } {
  const html = readFileSync(path.join(DIST, 'index.html'), 'utf8');
  const entries = [
    ...html.matchAll(/<(?:script[^>]*src|link[^>]*rel="modulepreload"[^>]*href)="\/([^"]+\.js)"/g),
  ].map((m) => m[1]!);
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = readFileSync(path.join(DIST, file), 'utf8');
    // Static imports only (`import … from "./x.js"` / `import "./x.js"`); `import("./x.js")` is lazy.
    for (const m of code.matchAll(/(?:^|[;\s}])import\s*(?:[^"'();]*?from\s*)?["']\.\/([^"']+\.js)["']/g)) {
      visit(path.posix.join(path.posix.dirname(file), m[1]!));
    }
  };
  for (const e of entries) visit(e);
  const files = [...seen];
  const gzipBytes = files.reduce(
    (sum, f) => sum + gzipSync(readFileSync(path.join(DIST, f)), { level: 9 }).length,
    0,
  );
  return { files, gzipBytes };
}
