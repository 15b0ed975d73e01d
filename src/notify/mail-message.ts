// Which notification events send an e-mail, and the text of each (keepalived.md §2.9, §3.5).
// Pure: a MailPolicy is resolved from the config once (per load or reload), and `selectMail`
// answers per event. keepalived's rules:
// - no mail at all unless `notification_email` has an address and `smtp_server` is set;
// - VRRP instances and sync groups mail when their resolved `smtp_alert` is on (off by default,
//   globals `smtp_alert_vrrp` / `smtp_alert` change the default — the config layer resolves it),
//   only when the new state differs from the last *mailed* state, never for FAULT under
//   `no_email_faults`, and only for MASTER, BACKUP, FAULT and STOP;
// - real servers mail when their resolved `smtp_alert` is on (on by default); a virtual server's
//   quorum mail follows the virtual server's own `smtp_alert`, defaulted the same way.
// Subjects and first body lines are keepalived's words, so existing mail filters keep working;
// a trailer of `key: value` lines then states the facts plainly (docs/notifications.md).

import type { Config } from '../config/model.js';
import type { NotifyEvent } from './events.js';

export interface MailText {
  readonly subject: string;
  readonly body: string;
  /** Wall-clock milliseconds of the event, for the Date header. */
  readonly at: number;
}

export interface MailPolicy {
  /** `notification_email` non-empty and `smtp_server` set. */
  readonly enabled: boolean;
  readonly routerId: string;
  readonly noEmailFaults: boolean;
  /** Names of vrrp_instance / vrrp_sync_group blocks whose `smtp_alert` is on. */
  readonly instances: ReadonlySet<string>;
  readonly groups: ReadonlySet<string>;
  /** `${vs.key}|${address}|${port}` of real servers whose `smtp_alert` is on. */
  readonly realServers: ReadonlySet<string>;
  /** VirtualServer.key of virtual servers whose quorum changes mail. */
  readonly virtualServers: ReadonlySet<string>;
}

export function mailPolicy(config: Config): MailPolicy {
  const g = config.global;
  const realServers = new Set<string>();
  const virtualServers = new Set<string>();
  for (const vs of config.virtualServers) {
    if (vs.smtpAlert ?? g.smtpAlertChecker ?? g.smtpAlert ?? true) virtualServers.add(vs.key);
    for (const rs of vs.realServers)
      if (rs.smtpAlert) realServers.add(`${vs.key}|${rs.address}|${rs.port ?? 0}`);
  }
  return {
    enabled: g.notificationEmail.length > 0 && g.smtpServer !== undefined,
    routerId: g.routerId,
    noEmailFaults: g.noEmailFaults,
    instances: new Set(config.vrrpInstances.filter((i) => i.smtpAlert).map((i) => i.name)),
    groups: new Set(config.vrrpSyncGroups.filter((s) => s.smtpAlert).map((s) => s.name)),
    realServers,
    virtualServers,
  };
}

/**
 * Last state mailed per VRRP object (`instance:NAME`, `group:NAME`). Owned by the caller and
 * kept across reloads, so a reload does not re-send the current state.
 */
export type MailedStates = Map<string, string>;

/** The mail for `event`, or undefined when keepalived's rules say none; records VRRP states. */
export function selectMail(
  policy: MailPolicy,
  mailed: MailedStates,
  event: NotifyEvent,
): MailText | undefined {
  if (!policy.enabled) return undefined;
  switch (event.kind) {
    case 'vrrp-instance':
    case 'vrrp-group': {
      const group = event.kind === 'vrrp-group';
      if (!(group ? policy.groups : policy.instances).has(event.name)) return undefined;
      const key = `${group ? 'group' : 'instance'}:${event.name}`;
      if (mailed.get(key) === event.to) return undefined;
      if (event.to === 'FAULT' && policy.noEmailFaults) return undefined;
      const mail = composeMail(policy.routerId, event);
      if (mail !== undefined) mailed.set(key, event.to);
      return mail;
    }
    case 'rs':
      if (!policy.realServers.has(`${event.vs}|${event.rs}`)) return undefined;
      return composeMail(policy.routerId, event);
    case 'quorum':
      if (!policy.virtualServers.has(event.vs)) return undefined;
      return composeMail(policy.routerId, event);
  }
}

/** Subject, keepalived's body line and the facts trailer; undefined for states never mailed. */
export function composeMail(routerId: string, event: NotifyEvent): MailText | undefined {
  const time = new Date(event.at).toISOString();
  switch (event.kind) {
    case 'vrrp-instance': {
      const words = instanceWords(event.to);
      if (words === undefined) return undefined;
      return text(`[${routerId}] VRRP Instance ${event.name} - ${words[0]}`, words[1], event.at, [
        ['router_id', routerId],
        ['object', `VRRP instance ${event.name}`],
        ['state', `${event.from} -> ${event.to}`],
        ['priority', String(event.priority)],
        ['time', time],
      ]);
    }
    case 'vrrp-group': {
      const words = groupWords(event.to);
      if (words === undefined) return undefined;
      return text(`[${routerId}] VRRP Group ${event.name} - ${words[0]}`, words[1], event.at, [
        ['router_id', routerId],
        ['object', `VRRP sync group ${event.name}`],
        ['state', event.to],
        ['time', time],
      ]);
    }
    case 'rs': {
      const to = event.up ? 'UP' : 'DOWN';
      const subject = `[${routerId}] Realserver ${event.rsLabel} of virtual server ${event.vsLabel} - ${to}`;
      return text(subject, checkerLine(event.checker, event.up), event.at, [
        ['router_id', routerId],
        ['object', `real server ${event.rsLabel} of virtual server ${event.vsLabel}`],
        ['checker', event.checker],
        ['state', `${event.up ? 'DOWN' : 'UP'} -> ${to}`],
        ['time', time],
      ]);
    }
    case 'quorum': {
      const to = event.up ? 'UP' : 'DOWN';
      // keepalived appends the quorum arithmetic (`Gained quorum 2+0=2 <= 3`); the event does not
      // carry weights, so the line stops at the verdict.
      const line = event.up ? '=> Gained quorum <=' : '=> Lost quorum <=';
      return text(`[${routerId}] Virtualserver ${event.vsLabel} - ${to}`, line, event.at, [
        ['router_id', routerId],
        ['object', `virtual server ${event.vsLabel}`],
        ['state', `${event.up ? 'DOWN' : 'UP'} -> ${to}`],
        ['time', time],
      ]);
    }
  }
}

function instanceWords(to: string): readonly [string, string] | undefined {
  switch (to) {
    case 'MASTER':
      return ['Entering MASTER state', '=> VRRP Instance is now owning VRRP VIPs <='];
    case 'BACKUP':
    case 'FAULT':
      return [`Entering ${to} state`, '=> VRRP Instance is no longer owning VRRP VIPs <='];
    case 'STOP':
      return ['Stopping', '=> VRRP Instance stopping <='];
    default:
      return undefined;
  }
}

function groupWords(to: string): readonly [string, string] | undefined {
  switch (to) {
    case 'MASTER':
    case 'BACKUP':
    case 'FAULT':
      return [`Entering ${to} state`, `=> All VRRP group instances are now in ${to} state <=`];
    case 'STOP':
      return ['Stopping', '=> All VRRP group instances are now stopping <='];
    default:
      return undefined;
  }
}

/**
 * keepalived's per-checker body line: TCP/UDP/MISC/FILE… name the check ("TCP CHECK"), the
 * HTTP_GET / SSL_GET family says "CHECK" and, on failure, "HTTP/SSL request failed".
 */
export function checkerLine(checker: string, up: boolean): string {
  const web = checker === 'HTTP_GET' || checker === 'SSL_GET';
  const name = web ? 'CHECK' : checker.replace(/_/g, ' ');
  if (up) return `=> ${name} succeed on service <=`;
  return web
    ? `=> ${name} failed on service : HTTP/SSL request failed <=`
    : `=> ${name} failed on service <=`;
}

function text(
  subject: string,
  line: string,
  at: number,
  facts: readonly (readonly [string, string])[],
): MailText {
  const width = Math.max(...facts.map(([k]) => k.length)) + 2;
  const trailer = facts.map(([k, v]) => `${`${k}:`.padEnd(width)}${v}`).join('\n');
  return { subject, body: `${line}\n\n${trailer}\n`, at };
}
