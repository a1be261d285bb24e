import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LineBatch } from './line-batch.ts';

const s = suite('log: line batch');

/** A write(2) stand-in that records what reached the descriptor and can fail the next calls. */
function recorder() {
  const writes: string[] = [];
  const failures: string[] = [];
  const write = (_fd: number, data: Buffer, offset: number) => {
    const code = failures.shift();
    if (code) throw Object.assign(new Error(code), { code });
    // At most 10 bytes a call, as a pipe may accept part of a write.
    const part = data.subarray(offset, offset + 10);
    writes.push(part.toString());
    return part.length;
  };
  return { writes, failures, write, text: () => writes.join('') };
}

s('lines wait until a batch is full, then leave in order, whole', () => {
  const r = recorder();
  const batch = new LineBatch({ fd: 1, batchChars: 30, flushMs: 60_000, write: r.write });
  batch.write('{"n":1}\n');
  batch.write('{"n":2}\n');
  assert.is(r.writes.length, 0, 'nothing written below the batch size');
  batch.write('{"n":3}\n{"n":4}\n');
  assert.is(r.text(), '{"n":1}\n{"n":2}\n{"n":3}\n{"n":4}\n');
  batch.flushSync();
  assert.is(r.text(), '{"n":1}\n{"n":2}\n{"n":3}\n{"n":4}\n', 'an empty flush writes nothing');
});

s('a quiet moment flushes after flushMs; flushSync writes at once', async () => {
  const r = recorder();
  const batch = new LineBatch({ fd: 1, batchChars: 10_000, flushMs: 20, write: r.write });
  batch.write('late\n');
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.is(r.text(), 'late\n');
  batch.write('now\n');
  batch.flushSync();
  assert.is(r.text(), 'late\nnow\n');
});

s('a full pipe is waited out, a closed one drops the batch without throwing', () => {
  const r = recorder();
  const batch = new LineBatch({ fd: 1, batchChars: 10_000, flushMs: 60_000, write: r.write });
  r.failures.push('EAGAIN', 'EAGAIN');
  batch.write('kept\n');
  batch.flushSync();
  assert.is(r.text(), 'kept\n');
  r.failures.push('EPIPE');
  batch.write('lost\n');
  batch.flushSync();
  batch.write('after\n');
  batch.flushSync();
  assert.is(r.text(), 'kept\nafter\n');
});

s.run();
