import { randomUUID } from 'node:crypto';

/** Outgoing mail. Adapters: mail-smtp (nodemailer over SMTP) and mail-outbox (.eml files in DATA_DIR/outbox). */
export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
}

export interface Mailer {
  readonly name: string;
  /** Resolves once the message is accepted by the server (or written to the outbox). */
  send(message: MailMessage): Promise<{ readonly messageId: string }>;
  health(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The message both adapters hand to nodemailer, with a Message-ID made here so that a retried SMTP send and
 * an outbox file carry the same id, in the sender's domain (`Dojo <no-reply@dojo.local>` → `@dojo.local`).
 */
export function composeMail(from: string, message: MailMessage) {
  const domain = /@([A-Za-z0-9.-]+)/.exec(from)?.[1] ?? 'localhost';
  return {
    from,
    to: message.to,
    subject: message.subject,
    text: message.text,
    ...(message.html === undefined ? {} : { html: message.html }),
    messageId: `<${randomUUID()}@${domain}>`,
  };
}
