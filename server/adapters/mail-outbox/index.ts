import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { composeMail, type MailMessage, type Mailer } from '../../ports/mail.ts';
import { unavailable } from '../../lib/errors.ts';
import type { Logger } from '../../lib/log.ts';

export interface OutboxMailerOptions {
  readonly dir: string;
  readonly from: string;
  readonly logger: Logger;
}

/**
 * Writes every message as a complete RFC 5322 `.eml` file instead of sending it (development, tests,
 * single-node installs without SMTP). A file appears whole or not at all: temp file, fsync, rename.
 */
export class OutboxMailer implements Mailer {
  readonly name = 'mail-outbox';
  readonly #dir: string;
  readonly #from: string;
  readonly #logger: Logger;
  readonly #composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });

  constructor(options: OutboxMailerOptions) {
    this.#dir = path.resolve(options.dir);
    this.#from = options.from;
    this.#logger = options.logger;
  }

  async send(message: MailMessage): Promise<{ readonly messageId: string }> {
    const mail = composeMail(this.#from, message);
    const { messageId } = mail;
    const built = await this.#composer.sendMail(mail);
    const stamp = new Date().toISOString().replace(/:/g, '-');
    const idPart = messageId.replace(/^<|@.*$/g, '').replace(/[^A-Za-z0-9-]/g, '');
    const file = path.join(this.#dir, `${stamp}-${idPart}.eml`);
    const temp = path.join(this.#dir, `.${stamp}-${idPart}-${randomBytes(4).toString('hex')}.tmp`);
    try {
      await mkdir(this.#dir, { recursive: true });
      await writeFile(temp, built.message as Buffer, { flag: 'wx', flush: true });
      await rename(temp, file);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => undefined);
      throw unavailable('MAIL.UNAVAILABLE', 'the outbox cannot be written', error);
    }
    this.#logger.info({ messageId, file }, 'mail written to the outbox');
    return { messageId };
  }

  async health(): Promise<void> {
    try {
      await mkdir(this.#dir, { recursive: true });
      const probe = path.join(this.#dir, `.health-${randomBytes(4).toString('hex')}`);
      await (await open(probe, 'wx')).close();
      await rm(probe);
    } catch (error) {
      throw unavailable('MAIL.UNAVAILABLE', 'the outbox is not writable', error);
    }
  }

  async close(): Promise<void> {
    this.#composer.close();
  }
}
