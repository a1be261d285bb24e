/**
 * A summary of a V8 .cpuprofile: where the time went, by area (self time: a package under node_modules, a
 * file of ours, node's internals, GC, idle), by file inclusive of what it called, and the hottest functions.
 * Used by the realistic POC bench (`--profile`); also runs alone: `node bench/pocs-profile.ts FILE`.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const root = new URL('..', import.meta.url).href;

function where(url: string): string {
  if (url === '') return '';
  if (url.startsWith('node:')) return url;
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return `npm:${modules[1]}`;
  return url.startsWith(root) ? url.slice(root.length) : url;
}

/** Self time by area: native and VM entries (GC, idle, program) by name, JavaScript by package or file. */
function area(node: ProfileNode): string {
  const file = where(node.callFrame.url);
  if (file === '') return `(${node.callFrame.functionName.replace(/^\(|\)$/g, '') || 'native'})`;
  if (file.startsWith('node:') || file.startsWith('npm:')) return file.split('/')[0] as string;
  return file;
}

const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);

export function summarize(file: string, lines = 18): string {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const fn = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  let idle = 0;
  p.samples.forEach((id, i) => {
    const us = p.timeDeltas[i] ?? 0;
    const node = byId.get(id);
    if (!node) return;
    total += us;
    if (node.callFrame.functionName === '(idle)') idle += us;
    const a = area(node);
    self.set(a, (self.get(a) ?? 0) + us);
    const f = `${node.callFrame.functionName || '(anonymous)'} ${where(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
    fn.set(f, (fn.get(f) ?? 0) + us);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const w = where(byId.get(at)?.callFrame.url ?? '');
      if (w && !seen.has(w)) {
        seen.add(w);
        inclusive.set(w, (inclusive.get(w) ?? 0) + us);
      }
    }
  });
  const busy = total - idle;
  const pct = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)} %`;
  const out = [
    `profile ${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (${((100 * busy) / total).toFixed(0)} %); shares of busy time`,
    '  self time by area:',
    ...top(self, lines)
      .filter(([a]) => a !== '(idle)')
      .map(([a, us]) => `    ${pct(us)}  ${a}`),
    '  inclusive (the file and everything it called):',
    ...top(inclusive, lines).map(([w, us]) => `    ${pct(us)}  ${w}`),
    '  hottest functions (self):',
    ...top(fn, lines)
      .filter(([f]) => !f.startsWith('(idle)'))
      .map(([f, us]) => `    ${pct(us)}  ${f}`),
  ];
  return out.join('\n');
}

if (import.meta.main) console.log(summarize(process.argv[2] ?? ''));
