import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { uuid7 } from './uuid7.ts';

test('a uuid7 is a valid version 7 uuid whose text sorts by time', () => {
  const ids = [0, 1, 1000, Date.now(), 2 ** 47].map((ms) => uuid7(ms));
  for (const id of ids)
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal([...ids].sort(), ids);
  assert.is(uuid7(5).slice(0, 13), '00000000-0005');
});

test.run();
