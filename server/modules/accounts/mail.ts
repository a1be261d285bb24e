import type { MailMessage } from '../../ports/mail.ts';

/** Account mails: plain text, with the link on a line of its own so mail clients make it clickable. */
export function confirmationMail(to: string, firstName: string, link: string, hours: number): MailMessage {
  return {
    to,
    subject: 'Confirm your Dojo account',
    text: [
      `Hello ${firstName},`,
      '',
      'Confirm your Dojo account by opening this link:',
      '',
      link,
      '',
      `The link works once and expires in ${hours} hours. If you did not sign up, ignore this mail.`,
    ].join('\n'),
  };
}

export function invitationMail(
  to: string,
  tenantName: string,
  inviter: string,
  link: string,
  days: number,
): MailMessage {
  return {
    to,
    subject: `You are invited to ${tenantName} on Dojo`,
    text: [
      'Hello,',
      '',
      `${inviter} invited you to join ${tenantName} on Dojo. Sign up with this address through this link:`,
      '',
      link,
      '',
      `The invitation works once and expires in ${days} days.`,
    ].join('\n'),
  };
}
