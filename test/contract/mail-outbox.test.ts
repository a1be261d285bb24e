import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { OutboxMailer } from '../../server/adapters/mail-outbox/index.ts';
import { isAppError } from '../../server/lib/errors.ts';
import { silentLogger } from '../../server/lib/log.ts';
import { mailContract, waitForEml } from './mail.contract.ts';

const from = 'Dojo <no-reply@dojo.local>';

mailContract('mail-outbox', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'dojo-outbox-'));
  const adapter = new OutboxMailer({ dir, from, logger: silentLogger() });
  return {
    adapter,
    from,
    delivered: async (to) => (await waitForEml(dir, to, 2000)).raw,
    cleanup: async () => {
      await adapter.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

const s = suite('mail-outbox: files');

s('one <iso-time>-<id>.eml per message, unix newlines, no temp files left', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'dojo-outbox-'));
  const mailer = new OutboxMailer({ dir: path.join(dir, 'nested', 'outbox'), from, logger: silentLogger() });
  try {
    const { messageId } = await mailer.send({ to: 'a@example.test', subject: 's', text: 't' });
    const names = await readdir(path.join(dir, 'nested', 'outbox'));
    assert.is(names.length, 1);
    const id = messageId.replace(/^<|@.*$/g, '').replace(/-/g, '');
    assert.match(names[0] ?? '', /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z-[A-Za-z0-9-]+\.eml$/);
    assert.ok((names[0] ?? '').replace(/-/g, '').includes(id), `${names[0]} names ${messageId}`);
    const { raw } = await waitForEml(path.join(dir, 'nested', 'outbox'), 'a@example.test', 500);
    assert.not.match(raw, /\r\n/);
  } finally {
    await mailer.close();
    await rm(dir, { recursive: true, force: true });
  }
});

s('an outbox that cannot be written is MAIL.UNAVAILABLE', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'dojo-outbox-'));
  // A regular file where the outbox directory should be.
  await writeFile(path.join(dir, 'file'), 'x');
  const mailer = new OutboxMailer({ dir: path.join(dir, 'file', 'outbox'), from, logger: silentLogger() });
  try {
    const error = await mailer
      .send({ to: 'a@example.test', subject: 's', text: 't' })
      .catch((e: unknown) => e);
    assert.ok(isAppError(error) && error.code === 'MAIL.UNAVAILABLE', String(error));
    const health = await mailer.health().catch((e: unknown) => e);
    assert.ok(isAppError(health) && health.code === 'MAIL.UNAVAILABLE', String(health));
  } finally {
    await mailer.close();
    await rm(dir, { recursive: true, force: true });
  }
});

s.run();
