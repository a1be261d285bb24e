import cassandra from 'cassandra-driver';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isAppError } from '../../lib/errors.ts';
import { silentLogger } from '../../lib/log.ts';
import { isTransient, toAppError } from './errors.ts';
import { createCassandraStore } from './index.ts';

const codes = cassandra.types.responseErrorCodes;
const { NoHostAvailableError, OperationTimedOutError, ResponseError } = cassandra.errors;

function response(code: number, writeType?: string): Error {
  const error = new ResponseError(code, 'server said something internal');
  return writeType ? Object.assign(error, { writeType }) : error;
}

test('transient driver errors are retried; a timed-out LWT and invalid requests are not', () => {
  const noHost = new NoHostAvailableError({});
  const clientTimeout = new OperationTimedOutError('timed out');
  assert.ok(isTransient(noHost, false), 'no host: nothing was sent');
  assert.ok(isTransient(response(codes.unavailableException), false), 'refused before execution');
  assert.ok(isTransient(response(codes.overloaded), true));
  assert.ok(isTransient(response(codes.readTimeout), true));
  assert.ok(isTransient(response(codes.writeTimeout, 'SIMPLE'), true));
  assert.ok(isTransient(clientTimeout, true));
  assert.not.ok(isTransient(clientTimeout, false), 'the outcome of a timed-out conditional write is unknown');
  assert.not.ok(isTransient(response(codes.writeTimeout, 'CAS'), true), 'never repeat a timed-out LWT');
  assert.not.ok(isTransient(response(codes.writeTimeout, 'CAS'), false));
  assert.not.ok(isTransient(response(codes.syntaxError), true));
  assert.not.ok(isTransient(response(codes.invalid), true));
  assert.not.ok(isTransient(new TypeError('bad value'), true));
});

test('driver errors become AppErrors whose message does not leak the driver text', () => {
  const cases: [Error, boolean, string, string, boolean][] = [
    [new NoHostAvailableError({}), true, 'STORE.UNAVAILABLE', 'UNAVAILABLE', true],
    [response(codes.unavailableException), false, 'STORE.UNAVAILABLE', 'UNAVAILABLE', true],
    [response(codes.readTimeout), true, 'STORE.TIMEOUT', 'TIMEOUT', true],
    [response(codes.writeTimeout, 'CAS'), false, 'STORE.TIMEOUT', 'TIMEOUT', false],
    [response(codes.invalid), true, 'STORE.FAILED', 'INTERNAL', false],
  ];
  for (const [error, idempotent, code, kind, retriable] of cases) {
    const wrapped = toAppError(error, idempotent);
    assert.is(wrapped.code, code);
    assert.is(wrapped.kind, kind);
    assert.is(wrapped.retriable, retriable, code);
    assert.is(wrapped.cause, error);
    assert.not.match(wrapped.message, /server said/);
  }
});

test('an unreachable cluster fails createCassandraStore fast with STORE.UNAVAILABLE', async () => {
  const started = performance.now();
  const error = await createCassandraStore({
    contactPoints: ['127.0.0.1:1'],
    keyspace: 'unreachable',
    localDataCenter: 'datacenter1',
    replicationFactor: 1,
    logger: silentLogger(),
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(isAppError(error) && error.code === 'STORE.UNAVAILABLE', `got ${String(error)}`);
  assert.ok(performance.now() - started < 5000);
});

test.run();
