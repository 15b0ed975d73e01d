// The notification subsystem's public surface (docs/notifications.md): one event type, and per
// channel its pieces — the scripts and FIFOs keepalived runs and writes, and e-mail alerts. The
// daemon turns VRRP and checker events into NotifyEvents and feeds every channel.

export type { NotifyEvent } from './events.js';
export { vrrpScripts, type ScriptCall, type VrrpNotifies } from './vrrp-scripts.js';
export { checkerScripts, type CheckerNotifies } from './checker-scripts.js';
export { fifoLine } from './fifo-lines.js';
export { NotifyFifos, type FifoGlobals } from './fifo-set.js';
export { ScriptRunner, type ResolveUser, type ScriptRunnerStats } from './script-runner.js';
export { ScriptSecurity, defaultScriptUser, checkScript } from './script-security.js';
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
