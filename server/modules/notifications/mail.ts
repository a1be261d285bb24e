import type { NotificationType, UserSummary } from '../../capabilities.ts';
import type { MailMessage } from '../../ports/mail.ts';

/** What cannot wait for the user to open the app: mailed too, unless the user turned it off. */
export const MAILED_TYPES: ReadonlySet<NotificationType> = new Set([
  'dojo.invited',
  'payment.failed',
  'subscription.downgraded',
]);

/**
 * The user's choice for mails of a type, in the profile's settings under the flat name
 * `notifications.email.<type>` (settings are flat; the dots stand for `notifications: {email: {type}}`).
 * Unset means yes.
 */
export const emailSetting = (type: string) => `notifications.email.${type}`;

export function wantsMail(user: UserSummary, type: string): boolean {
  return user.settings[emailSetting(type)] !== false;
}

export function notificationMail(
  user: UserSummary,
  n: { type: string; title: string; message: string },
  publicUrl: string,
): MailMessage {
  const settings = `${publicUrl}/#/settings/notifications`;
  return {
    to: user.email,
    subject: n.title,
    text: [
      `Hello ${user.displayName},`,
      '',
      n.message,
      '',
      `Open Dojo: ${publicUrl}/`,
      '',
      '--',
      `You get this mail because "${n.type}" mails are on for your account. Turn them off here:`,
      settings,
      `(or set "${emailSetting(n.type)}" to false in your profile settings).`,
    ].join('\n'),
  };
}
