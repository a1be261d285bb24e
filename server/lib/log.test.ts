import { spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pino } from 'pino';
import { LineBatch } from './line-batch.ts';
import { createLogger, flushLogs, plainLineWriter } from './log.ts';

const LOG_URL = pathToFileURL(path.join(import.meta.dirname, 'log.ts')).href;

/** Runs `body` in a process of its own with `logger` from createLogger; resolves with its stdout lines. */
function run(
  body: string,
): Promise<{ lines: { msg?: string; n?: number; level?: number }[]; signal: string | null }> {
  const script = `
    const { createLogger } = await import(${JSON.stringify(LOG_URL)});
    const logger = createLogger({ level: 'info' });
    ${body}`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) =>
    child.once('close', (_code, signal) =>
      resolve({
        lines: out
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { msg?: string; n?: number; level?: number }),
        signal,
      }),
    ),
  );
}

test('a fatal line and every line before it are out before the process dies', async () => {
  const { lines, signal } = await run(`
    for (let n = 0; n < 50; n++) logger.info({ n }, 'before');
    logger.fatal('dying');
    process.kill(process.pid, 'SIGKILL');`);
  assert.is(signal, 'SIGKILL');
  assert.is(lines.length, 51);
  assert.equal(
    lines.slice(0, 50).map((l) => l.n),
    Array.from({ length: 50 }, (_, n) => n),
  );
  assert.is(lines[50]?.msg, 'dying');
  assert.is(lines[50]?.level, 60);
});

test('a crash (uncaught exception) still writes what was buffered', async () => {
  const { lines } = await run(`
    logger.info('last words');
    setTimeout(() => { throw new Error('boom'); }, 0);`);
  assert.equal(
    lines.map((l) => l.msg),
    ['last words'],
  );
});

test('in a quiet moment a line goes out within the batch interval, not at exit', async () => {
  const { lines, signal } = await run(`
    logger.info('quiet');
    setTimeout(() => process.kill(process.pid, 'SIGKILL'), 1000);`);
  assert.is(signal, 'SIGKILL');
  assert.equal(
    lines.map((l) => l.msg),
    ['quiet'],
  );
});

test('plainLineWriter writes the very line pino would, and honours the level', () => {
  const out: string[] = [];
  const logger = createLogger({
    level: 'info',
    destination: { write: (line: string) => void out.push(line) },
  });
  const child = logger.child({ module: 'http' });
  const writeLine = plainLineWriter(child);
  const fields = { requestId: 'r-1', method: 'GET', path: '/v1/"odd"\\path', status: 200, ms: 0.25 };
  writeLine(fields, 'request');
  child.info(fields, 'request');
  assert.is(out.length, 2);
  const [ours, theirs] = out.map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.ok(ours && theirs);
  assert.equal(Object.keys(ours), Object.keys(theirs), 'same fields in the same order');
  assert.equal({ ...ours, time: 0 }, { ...theirs, time: 0 });
  assert.ok(out[0]?.endsWith('}\n'));
  child.level = 'warn';
  writeLine(fields, 'request');
  assert.is(out.length, 2, 'below the level, nothing is written');
});

/** The line with its time value blanked: two lines written a millisecond apart compare byte for byte. */
const untimed = (line: string | undefined) => line?.replace(/"time":"[^"]*"/, '"time":""');

test('plainLineWriter lines match pino byte for byte, for the root logger and nested children', () => {
  const out: string[] = [];
  const logger = createLogger({
    level: 'info',
    name: 'svc',
    destination: { write: (line: string) => void out.push(line) },
  });
  const fields = { requestId: 'r-2', tenantId: 't\u00e9\n"x"', status: 404, ms: 12.5, n: -0.001 };
  for (const target of [
    logger,
    logger.child({ module: 'http' }),
    logger.child({ module: 'http', port: 8080 }).child({ requestId: 'r-0', nested: { a: 1 } }),
  ]) {
    out.length = 0;
    plainLineWriter(target)(fields, 'request "done"');
    target.info(fields, 'request "done"');
    assert.is(out.length, 2);
    assert.is(untimed(out[0]), untimed(out[1]));
    assert.match(out[0] ?? '', /^\{"level":30,"time":"[^"]+","pid":\d+,"name":"svc"/);
  }
});

test('plainLineWriter falls back to info for a logger createLogger did not build', () => {
  const out: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void out.push(line) });
  const writeLine = plainLineWriter(logger.child({ module: 'other' }));
  writeLine({ path: '/x', status: 200 }, 'request');
  assert.is(out.length, 1);
  const line = JSON.parse(out[0] ?? '') as Record<string, unknown>;
  assert.equal([line.module, line.path, line.status, line.msg], ['other', '/x', 200, 'request']);
  logger.level = 'warn';
  writeLine({ path: '/x', status: 200 }, 'request');
  assert.is(out.length, 1, 'below the level, nothing is written');
});

test('flushLogs writes out what the stream of a logger, or of its child, still buffers', () => {
  const written: string[] = [];
  const stream = new LineBatch({
    fd: 1,
    batchChars: 1 << 20,
    flushMs: 60_000,
    write: (_fd, data, offset) => {
      written.push(data.subarray(offset).toString());
      return data.length - offset;
    },
  });
  const logger = createLogger({ level: 'info', destination: stream });
  const child = logger.child({ module: 'x' }).child({ deeper: true });
  child.info('buffered');
  plainLineWriter(child)({ n: 1 }, 'plain');
  assert.is(written.length, 0);
  flushLogs(child);
  assert.equal(
    written
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { msg: string }).msg),
    ['buffered', 'plain'],
  );
  flushLogs(pino({ level: 'silent' }));
});

test.run();
