import { once } from 'node:events';
import { rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '../../config/index.ts';
import { SmtpMailer } from '../../server/adapters/mail-smtp/index.ts';
import { isAppError } from '../../server/lib/errors.ts';
import { silentLogger } from '../../server/lib/log.ts';
import { realService } from '../support/services.ts';
import { mailContract, parseMail, waitForEml } from './mail.contract.ts';

const env = realService('smtp', 'mail-smtp');
if (env) {
  const config = loadConfig(env);
  const sinkDir = env.SMTP_SINK_DIR!;
  const smtpUrl = config.mail.smtpUrl!;
  mailContract('mail-smtp', async () => {
    const adapter = new SmtpMailer({ url: smtpUrl, from: config.mail.from, logger: silentLogger() });
    const files: string[] = [];
    return {
      adapter,
      from: config.mail.from,
      delivered: async (to) => {
        const { raw, file } = await waitForEml(sinkDir, to);
        files.push(file);
        return raw;
      },
      cleanup: async () => {
        await adapter.close();
        await Promise.all(files.map((f) => rm(f, { force: true })));
      },
    };
  });
}

/** An in-process SMTP server that answers 451 to the first `failFirst` DATA commands and 550 to bounce@. */
async function flakyServer(failFirst: number) {
  const received: string[] = [];
  let dataCommands = 0;
  const rcpt: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      rcpt.push(address.address);
      if (address.address.startsWith('bounce@')) {
        callback(Object.assign(new Error('no such user'), { responseCode: 550 }));
      } else callback();
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        dataCommands++;
        if (dataCommands <= failFirst) {
          callback(Object.assign(new Error('try again later'), { responseCode: 451 }));
          return;
        }
        received.push(Buffer.concat(chunks).toString('utf8'));
        callback();
      });
    },
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    rcpt,
    attempts: () => dataCommands,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const s = suite('mail-smtp: retries only what is transient');
const fast = { attempts: 3, baseDelayMs: 10, maxDelayMs: 20 };

s('a 4xx reply is retried with the same Message-ID until accepted', async () => {
  const server = await flakyServer(2);
  const mailer = new SmtpMailer({
    url: server.url,
    from: 'Dojo <no-reply@dojo.local>',
    logger: silentLogger(),
    retry: fast,
  });
  try {
    const { messageId } = await mailer.send({
      to: 'ok@example.test',
      subject: 'retry me',
      text: 'third time lucky',
    });
    assert.is(server.attempts(), 3);
    assert.is(server.received.length, 1);
    const mail = parseMail(server.received[0] ?? '');
    assert.is(mail.headers.get('message-id'), messageId);
    assert.is(mail.headers.get('subject'), 'retry me');
  } finally {
    await mailer.close();
    await server.close();
  }
});

s('a 5xx refusal is not retried and is MAIL.REJECTED', async () => {
  const server = await flakyServer(0);
  const mailer = new SmtpMailer({
    url: server.url,
    from: 'Dojo <no-reply@dojo.local>',
    logger: silentLogger(),
    retry: fast,
  });
  try {
    const error = await mailer
      .send({ to: 'bounce@example.test', subject: 's', text: 't' })
      .catch((e: unknown) => e);
    assert.ok(isAppError(error) && error.code === 'MAIL.REJECTED' && !error.retriable, String(error));
    assert.equal(server.rcpt, ['bounce@example.test'], 'exactly one attempt');
  } finally {
    await mailer.close();
    await server.close();
  }
});

s('no server: health and send fail as MAIL.UNAVAILABLE after the retries', async () => {
  const server = await flakyServer(0);
  const url = server.url;
  await server.close();
  const mailer = new SmtpMailer({
    url,
    from: 'Dojo <no-reply@dojo.local>',
    logger: silentLogger(),
    retry: fast,
  });
  try {
    const health = await mailer.health().catch((e: unknown) => e);
    assert.ok(isAppError(health) && health.code === 'MAIL.UNAVAILABLE', String(health));
    const error = await mailer
      .send({ to: 'ok@example.test', subject: 's', text: 't' })
      .catch((e: unknown) => e);
    assert.ok(isAppError(error) && error.code === 'MAIL.UNAVAILABLE' && error.retriable, String(error));
  } finally {
    await mailer.close();
  }
});

s.run();
