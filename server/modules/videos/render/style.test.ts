import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { drawableText } from './style.ts';

const test = suite('video text: what the fonts cannot draw becomes ?');

test('ASCII as it is; accents kept; CJK and emoji replaced; control characters made spaces', () => {
  assert.is(drawableText('Ada Lovelace #1'), 'Ada Lovelace #1');
  assert.is(drawableText('Zoë Ångström'), 'Zoë Ångström');
  assert.is(drawableText('日本語 🚀 Team'), '??? ? Team');
  assert.is(drawableText('tab\there'), 'tab here');
});

test.run();
