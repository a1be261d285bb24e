import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, loadConfig } from './index.ts';

test('defaults run everything embedded on port 2567', () => {
  const c = loadConfig({});
  assert.is(c.port, 2567);
  assert.equal([...c.roles], ['api', 'rooms', 'workers']);
  assert.is(c.publicUrl, 'http://localhost:2567');
  assert.is(c.cassandra, undefined);
  assert.is(c.redis, undefined);
  assert.is(c.kafka, undefined);
  assert.is(c.s3, undefined);
  assert.is(c.mail.smtpUrl, undefined);
  assert.ok(c.dataDir.endsWith('/data'));
});

test('the configuration is frozen, deeply', () => {
  const c = loadConfig({ KAFKA_BROKERS: 'a:1,b:2' });
  assert.ok(Object.isFrozen(c));
  assert.ok(Object.isFrozen(c.kafka));
  assert.throws(() => {
    (c as { port: number }).port = 1;
  });
});

test('real services are picked up from their variables', () => {
  const c = loadConfig({
    CASSANDRA_CONTACT_POINTS: '127.0.0.1:9042, 127.0.0.2',
    CASSANDRA_KEYSPACE: 'ks',
    REDIS_URL: 'redis://127.0.0.1:6379',
    S3_ENDPOINT: 'http://127.0.0.1:9000',
    S3_BUCKET: 'my-bucket',
    SMTP_URL: 'smtp://127.0.0.1:2525',
    PUBLIC_URL: 'https://dojo.example/',
    ROLES: 'api, rooms',
  });
  assert.equal([...(c.cassandra?.contactPoints ?? [])], ['127.0.0.1:9042', '127.0.0.2']);
  assert.is(c.cassandra?.keyspace, 'ks');
  assert.is(c.redis?.url, 'redis://127.0.0.1:6379');
  assert.is(c.s3?.bucket, 'my-bucket');
  assert.is(c.publicUrl, 'https://dojo.example');
  assert.equal([...c.roles], ['api', 'rooms']);
});

test('a wrong value stops the boot naming the variable', () => {
  const bad = [
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ ROLES: 'api,cooking' }, 'ROLES'],
    [{ REDIS_URL: 'http://x' }, 'REDIS_URL'],
    [{ PUBLIC_URL: 'not a url' }, 'PUBLIC_URL'],
    [{ CASSANDRA_KEYSPACE: 'Bad-Name' }, 'CASSANDRA_KEYSPACE'],
    [{ SMTP_URL: 'mailto:a@b' }, 'SMTP_URL'],
  ] as const;
  for (const [env, variable] of bad) {
    try {
      loadConfig(env);
      assert.unreachable(`${variable} accepted`);
    } catch (e) {
      assert.instance(e, ConfigError);
      assert.ok(
        (e as ConfigError).issues.some((i) => i.variable === variable),
        variable,
      );
      assert.match((e as Error).message, variable);
    }
  }
});

test.run();
