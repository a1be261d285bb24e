import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as assert from 'uvu/assert';
import { contractSuite } from '../support/contract.ts';
import type { Mailer } from '../../server/ports/mail.ts';

export interface MadeMailer {
  readonly adapter: Mailer;
  /** The From the adapter was configured with. */
  readonly from: string;
  /** Waits for the raw message delivered to `to` (an .eml written by the outbox or the SMTP sink). */
  delivered(to: string): Promise<string>;
  cleanup(): Promise<void>;
}

export interface ParsedMail {
  readonly headers: Map<string, string>;
  readonly body: string;
}

/** Just enough RFC 5322 for assertions: unfolded headers (lower-cased names) and the raw body. */
export function parseMail(raw: string): ParsedMail {
  const text = raw.replace(/\r\n/g, '\n');
  const split = text.indexOf('\n\n');
  const head = split === -1 ? text : text.slice(0, split);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: split === -1 ? '' : text.slice(split + 2) };
}

/** Polls `dir` for an .eml file addressed to `to` (files appear atomically: dot-file, then rename). */
export async function waitForEml(
  dir: string,
  to: string,
  timeoutMs = 10_000,
): Promise<{ readonly raw: string; readonly file: string }> {
  const seen = new Set<string>();
  const started = Date.now();
  for (;;) {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      if (!name.endsWith('.eml') || name.startsWith('.') || seen.has(name)) continue;
      seen.add(name);
      const file = path.join(dir, name);
      const raw = await readFile(file, 'utf8').catch(() => '');
      if (parseMail(raw).headers.get('to') === to) return { raw, file };
    }
    if (Date.now() - started > timeoutMs)
      throw new Error(`no message to ${to} in ${dir} within ${timeoutMs} ms`);
    await sleep(50);
  }
}

const recipient = () => `dojo-test-${randomUUID().slice(0, 8)}@example.test`;

/** The behaviour every Mailer adapter must share; registers one uvu suite and runs it. */
export function mailContract(label: string, make: () => Promise<MadeMailer>) {
  const { s, made } = contractSuite(`${label}: Mailer contract`, make);

  s('health answers', async (ctx) => {
    await made(ctx).adapter.health();
  });

  s('a text message arrives with the right To, From, Subject, text and Message-ID', async (ctx) => {
    const { adapter, from, delivered } = made(ctx);
    const to = recipient();
    const subject = `Your dojo starts soon ${randomUUID().slice(0, 8)}`;
    const text = 'Hello,\nthe kata is FizzBuzz.\nSee you there.\n';
    const { messageId } = await adapter.send({ to, subject, text });
    assert.match(messageId, /^<[^<>@\s]+@[^<>@\s]+>$/);
    const mail = parseMail(await delivered(to));
    assert.is(mail.headers.get('to'), to);
    assert.is(mail.headers.get('from'), from);
    assert.is(mail.headers.get('subject'), subject);
    assert.is(mail.headers.get('message-id'), messageId);
    assert.ok(mail.headers.get('date'), 'a Date header');
    assert.match(mail.headers.get('content-type') ?? '', /^text\/plain/);
    assert.is(mail.body.trimEnd(), text.trimEnd());
  });

  s('a message with html carries both alternatives', async (ctx) => {
    const { adapter, delivered } = made(ctx);
    const to = recipient();
    await adapter.send({ to, subject: 'Both', text: 'plain words', html: '<p>html <b>words</b></p>' });
    const mail = parseMail(await delivered(to));
    assert.match(mail.headers.get('content-type') ?? '', /^multipart\/alternative; boundary=/);
    assert.match(mail.body, /Content-Type: text\/plain[^]*plain words/);
    assert.match(mail.body, /Content-Type: text\/html[^]*<p>html <b>words<\/b><\/p>/);
  });

  s('concurrent sends all arrive, each with its own Message-ID', async (ctx) => {
    const { adapter, delivered } = made(ctx);
    const recipients = Array.from({ length: 5 }, recipient);
    const sent = await Promise.all(recipients.map((to) => adapter.send({ to, subject: 'many', text: to })));
    assert.is(new Set(sent.map((r) => r.messageId)).size, 5);
    for (const [i, to] of recipients.entries()) {
      const mail = parseMail(await delivered(to));
      assert.is(mail.headers.get('message-id'), sent[i]?.messageId);
      assert.is(mail.body.trim(), to);
    }
  });

  s.run();
}
