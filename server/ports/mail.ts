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
