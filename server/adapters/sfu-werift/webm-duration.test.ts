import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { setWebmDuration } from './webm-duration.ts';

test('writes the duration where werift put its placeholder, and leaves other layouts alone', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'webm-duration-'));
  try {
    const file = path.join(dir, 'a.webm');
    const bytes = Buffer.alloc(120);
    bytes.set([0x44, 0x89, 0x84], 83);
    bytes.writeFloatBE(86_400_000, 86);
    await writeFile(file, bytes);
    assert.ok(await setWebmDuration(file, 4210));
    assert.is((await readFile(file)).readFloatBE(86), 4210);

    const other = path.join(dir, 'b.webm');
    await writeFile(other, Buffer.alloc(120));
    assert.not.ok(await setWebmDuration(other, 4210));
    assert.ok((await readFile(other)).equals(Buffer.alloc(120)));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
