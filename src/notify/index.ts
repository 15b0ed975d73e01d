// The notification subsystem's public surface (docs/notifications.md): one event type, the
// scripts and FIFOs keepalived runs and writes for it, and (mailer.ts) e-mail alerts.

export type { NotifyEvent } from './events.js';
export { vrrpScripts, type ScriptCall, type VrrpNotifies } from './vrrp-scripts.js';
export { checkerScripts, type CheckerNotifies } from './checker-scripts.js';
export { fifoLine } from './fifo-lines.js';
export { NotifyFifos, type FifoGlobals } from './fifo-set.js';
export { ScriptRunner, type ResolveUser, type ScriptRunnerStats } from './script-runner.js';
export { ScriptSecurity, defaultScriptUser, checkScript } from './script-security.js';
