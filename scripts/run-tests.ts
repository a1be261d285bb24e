/**
 * Runs every uvu test file (`*.test.ts` beside the code and under test/) in a child process, then prints
 * the suites skipped for want of a real service and the closing line `N passed, N failed, N skipped`.
 * Usage: npm test [-- <pattern>]   e.g. npm test -- store
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const pattern = process.argv[2] ?? '';
const dir = mkdtempSync(path.join(tmpdir(), 'dojo-test-'));
const skipFile = path.join(dir, 'skipped.txt');
const child = spawn(process.execPath, [path.join(import.meta.dirname, 'uvu-child.ts'), pattern], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, DOJO_TEST_SKIP_FILE: skipFile },
});

let output = '';
child.stdout.on('data', (chunk: Buffer) => {
  process.stdout.write(chunk);
  output += chunk.toString('utf8');
});

const code: number = await new Promise((resolve) => child.on('close', (c) => resolve(c ?? 1)));
// eslint-disable-next-line no-control-regex
const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
const number = (label: string) => Number(new RegExp(`${label}:\\s+(\\d+)`).exec(plain)?.[1] ?? NaN);
const total = number('Total');
const passed = number('Passed');
const skipped = number('Skipped');

let skippedSuites: string[] = [];
try {
  skippedSuites = readFileSync(skipFile, 'utf8').split('\n').filter(Boolean);
} catch {
  // no suite was skipped
}
rmSync(dir, { recursive: true, force: true });

if (skippedSuites.length) {
  console.log(
    `\nReal-service suites skipped (${skippedSuites.length}); set the variables or run bash .ci/run:`,
  );
  for (const line of skippedSuites) console.log(`  - ${line}`);
}
if (Number.isNaN(total) || Number.isNaN(passed)) {
  console.log('\nThe test process ended before uvu printed its totals.');
  console.log(`${Number.isNaN(passed) ? 0 : passed} passed, 1 failed`);
  process.exit(1);
}
const failed = total - passed + (code !== 0 && total === passed ? 1 : 0);
// A real-service suite that was skipped counts once, beside the tests uvu itself skipped.
const skippedTotal = (Number.isNaN(skipped) ? 0 : skipped) + skippedSuites.length;
console.log(`\n${passed} passed, ${failed} failed, ${skippedTotal} skipped`);
process.exit(code === 0 && failed === 0 ? 0 : 1);
