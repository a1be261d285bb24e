import nodemailer from 'nodemailer';
import { composeMail, type MailMessage, type Mailer } from '../../ports/mail.ts';
import { AppError } from '../../lib/errors.ts';
import type { Logger } from '../../lib/log.ts';
import { retry, type RetryOptions } from '../../lib/retry.ts';

export interface SmtpMailerOptions {
  /** `smtp://user:pass@host:port` or `smtps://...`; nodemailer options may ride along as query parameters. */
  readonly url: string;
  readonly from: string;
  readonly logger: Logger;
  readonly retry?: Pick<RetryOptions, 'attempts' | 'baseDelayMs' | 'maxDelayMs'>;
}

const CONNECTION_CODES = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ECONNREFUSED',
  'ECONNRESET',
]);

/** A 4xx reply or a broken connection may work next time; a 5xx reply or bad credentials will not. */
export function isTransientSmtpError(error: unknown): boolean {
  const e = (error ?? {}) as { responseCode?: unknown; code?: unknown };
  if (typeof e.responseCode === 'number') return e.responseCode >= 400 && e.responseCode < 500;
  return typeof e.code === 'string' && CONNECTION_CODES.has(e.code);
}

/** Sends through a pooled SMTP connection, retrying transient failures with the project's retry helper. */
export class SmtpMailer implements Mailer {
  readonly name = 'mail-smtp';
  readonly #from: string;
  readonly #logger: Logger;
  readonly #transport;
  readonly #retry: RetryOptions;

  constructor(options: SmtpMailerOptions) {
    this.#from = options.from;
    this.#logger = options.logger;
    this.#transport = nodemailer.createTransport({
      url: options.url,
      pool: true,
      maxConnections: 3,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
    this.#retry = {
      attempts: 4,
      baseDelayMs: 250,
      maxDelayMs: 5000,
      ...options.retry,
      isRetriable: isTransientSmtpError,
      onRetry: (error, attempt, delayMs) =>
        this.#logger.warn({ err: error, attempt, delayMs }, 'smtp send failed, retrying'),
    };
  }

  async send(message: MailMessage): Promise<{ readonly messageId: string }> {
    // One Message-ID for every attempt, so a retry after a lost reply is recognisable as a duplicate.
    const mail = composeMail(this.#from, message);
    const { messageId } = mail;
    try {
      await retry(() => this.#transport.sendMail(mail), this.#retry);
    } catch (error) {
      throw toAppError(error);
    }
    this.#logger.info({ messageId }, 'mail sent');
    return { messageId };
  }

  async health(): Promise<void> {
    try {
      await this.#transport.verify();
    } catch (error) {
      throw toAppError(error);
    }
  }

  async close(): Promise<void> {
    this.#transport.close();
  }
}

function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (isTransientSmtpError(error)) {
    return new AppError('MAIL.UNAVAILABLE', 'the mail server is unavailable', {
      kind: 'UNAVAILABLE',
      cause: error,
    });
  }
  // Refused for good (5xx, authentication): retrying later will not help.
  return new AppError('MAIL.REJECTED', 'the mail server refused the message', {
    kind: 'UNAVAILABLE',
    retriable: false,
    cause: error,
  });
}
