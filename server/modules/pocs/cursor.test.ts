import { randomBytes, randomUUID } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AppError } from '../../lib/errors.ts';
import { CursorCodec } from './cursor.ts';

const s = suite('pocs: cursor codec');
const codec = new CursorCodec({ secret: randomBytes(32) });
const position = { created: Date.UTC(2025, 4, 1, 12), id: randomUUID() };

function refused(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    assert.instance(error, AppError);
    assert.is((error as AppError).code, 'POC.BAD_CURSOR');
    assert.is((error as AppError).kind, 'INVALID');
    return;
  }
  assert.unreachable('the cursor was accepted');
}

s('a cursor decodes to its position under the same scope', () => {
  const cursor = codec.encode(position, 'scope-a');
  assert.match(cursor, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  assert.equal(codec.decode(cursor, 'scope-a'), position);
});

s('a cursor used with other filters is refused', () => {
  refused(() => codec.decode(codec.encode(position, 'scope-a'), 'scope-b'));
});

s('a cursor signed with another secret is refused', () => {
  const other = new CursorCodec({ secret: randomBytes(32) });
  refused(() => codec.decode(other.encode(position, 'scope-a'), 'scope-a'));
});

s('an edited position or MAC is refused', () => {
  const cursor = codec.encode(position, 'scope-a');
  const [payload = '', mac = ''] = cursor.split('.');
  const moved = Buffer.from(`${position.created - 1}:${position.id}`).toString('base64url');
  refused(() => codec.decode(`${moved}.${mac}`, 'scope-a'));
  const flipped = mac.startsWith('A') ? `B${mac.slice(1)}` : `A${mac.slice(1)}`;
  refused(() => codec.decode(`${payload}.${flipped}`, 'scope-a'));
});

s('garbage never throws anything but POC.BAD_CURSOR', () => {
  for (const cursor of [
    '',
    'abc',
    '.',
    'a.b',
    '%%%.%%%',
    'x'.repeat(500),
    `${'A'.repeat(10)}.${'A'.repeat(22)}`,
  ]) {
    refused(() => codec.decode(cursor, 'scope-a'));
  }
});

s.run();
