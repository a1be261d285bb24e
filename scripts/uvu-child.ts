/** Loads the test files into one process, lets uvu run them, and exits even if a handle stays open. */
import path from 'node:path';
import { parse } from 'uvu/parse';
import { run } from 'uvu/run';

const root = path.resolve(import.meta.dirname, '..');
const filter = process.argv[2] ?? '';
const ctx = await parse(root, /\.test\.ts$/, {
  ignore: [/node_modules/, /\.services/, /(^|\/)data\//],
  cwd: root,
});
const suites = ctx.suites.filter((s) => s.name.includes(filter));
await run(suites, { bail: false });
// uvu sets process.exitCode; leftover sockets must not keep a finished run alive.
process.exit(process.exitCode ?? 0);
