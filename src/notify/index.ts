// Public surface of the notification subsystem (issue 8): the event type and, per channel, its
// pieces. The daemon turns VRRP and checker events into NotifyEvents and feeds every channel.

export type { NotifyEvent } from './events.js';

// --- notify-mail: e-mail alerts ---
export {
  checkerLine,
  composeMail,
  mailPolicy,
  selectMail,
  type MailedStates,
  type MailPolicy,
  type MailText,
} from './mail-message.js';
export {
  Mailer,
  endpoint,
  mailerSettings,
  type MailerCounters,
  type MailerOptions,
  type MailerSettings,
  type MailTransport,
  type OutgoingMail,
} from './mailer.js';
