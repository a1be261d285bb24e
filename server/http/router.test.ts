import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AppError } from '../lib/errors.ts';
import { Router } from './router.ts';

const s = suite('http: router');

const router = new Router<string>();
router.add('get', '/v1/pocs', 'list');
router.add('get', '/v1/pocs/:id', 'get');
router.add('delete', '/v1/pocs/:id', 'remove');
router.add('get', '/v1/user/me', 'me');
router.add('get', '/v1/user/:userId', 'user');
router.add('put', '/v1/pocs/:id/favorite', 'favorite');

s('matches by method and path, with the template and decoded params', () => {
  assert.equal(router.match('GET', '/v1/pocs?tag=kafka'), {
    value: 'list',
    template: '/v1/pocs',
    params: {},
  });
  assert.equal(router.match('DELETE', '/v1/pocs/a%20b'), {
    value: 'remove',
    template: '/v1/pocs/:id',
    params: { id: 'a b' },
  });
  assert.is(router.match('PUT', '/v1/pocs/x/favorite')?.value, 'favorite');
  assert.is(router.match('POST', '/v1/pocs/x'), undefined, 'no route for the method');
  assert.is(router.match('GET', '/v1/pocs/x/y'), undefined, 'no route of that length');
  assert.is(router.match('GET', '/v1/pocs//'), undefined, 'a parameter is never empty');
});

s('as Express: literals case-insensitive, one trailing slash ignored, HEAD served by GET', () => {
  assert.is(router.match('GET', '/V1/POCS')?.value, 'list');
  assert.is(router.match('GET', '/v1/pocs/')?.value, 'list');
  assert.is(router.match('GET', '/v1/pocs/ABC')?.params.id, 'ABC', 'parameters keep their case');
  assert.is(router.match('HEAD', '/v1/pocs/1')?.value, 'get');
});

s('the methods allowed at a path, for 405 and OPTIONS answers', () => {
  assert.equal(router.allowedMethods('/v1/pocs/x?a=1'), ['DELETE', 'GET', 'HEAD']);
  assert.equal(router.allowedMethods('/v1/pocs/%E0%A4%A'), ['DELETE', 'GET', 'HEAD']);
  assert.equal(router.allowedMethods('/v1/pocs/x/favorite'), ['PUT']);
  assert.equal(router.allowedMethods('/v1/nowhere'), []);
});

s('the first declared route that matches wins', () => {
  assert.is(router.match('GET', '/v1/user/me')?.value, 'me');
  assert.is(router.match('GET', '/v1/user/someone')?.value, 'user');
  const later = new Router<string>();
  later.add('get', '/v1/user/:userId', 'user');
  later.add('get', '/v1/user/me', 'me');
  assert.is(later.match('GET', '/v1/user/me')?.value, 'user');
});

s('a parameter that is not valid percent-encoding is a 400 naming it', () => {
  try {
    router.match('GET', '/v1/pocs/%E0%A4%A');
    assert.unreachable('should have thrown');
  } catch (error) {
    assert.instance(error, AppError);
    assert.is((error as AppError).kind, 'INVALID');
    assert.equal((error as AppError).fields, [{ path: 'params.id', message: 'Malformed percent-encoding' }]);
  }
});

s.run();
