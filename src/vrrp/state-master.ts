// MASTER behaviour (RFC 3768 §6.4.3, RFC 5798 §6.4.3, keepalived 2.2.7 vrrp_state_master_rx /
// vrrp_state_master_tx): answering adverts from other routers and the periodic work.

import { ipv4ToNumber, ipv6Bytes } from '../lib/inet.js';
import { isIPv4 } from 'node:net';
import { advertIntMs, count, leaveMasterToBackup, log } from './state-common.js';
import type { Ctx } from './state-common.js';
import type { RxAdvert } from './state-backup.js';
import { VRRP_PRIO_OWNER } from './priority.js';
import { nextAdvertAt } from './timers.js';

/**
 * Numeric comparison of two addresses of one family (sign of a − b). Different families or an
 * unknown own address give 0, as keepalived's vrrp_saddr_cmp does.
 */
export function compareAddresses(a: string, b: string | undefined): number {
  if (b === undefined) return 0;
  if (isIPv4(a) && isIPv4(b)) return Math.sign(ipv4ToNumber(a) - ipv4ToNumber(b));
  const x = ipv6Bytes(a);
  const y = ipv6Bytes(b);
  if (x === undefined || y === undefined || isIPv4(a) || isIPv4(b)) return 0;
  for (let i = 0; i < 16; i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

export function masterRx(c: Ctx, a: RxAdvert): void {
  const { p, s, now } = c;
  const cmp = compareAddresses(a.from, p.ownAddress);
  const ours = s.effectivePriority;
  const higher = a.priority > ours || (a.priority === ours && cmp > 0);
  if (a.priority === 0 || (p.higherPrioSendAdvert && higher)) {
    // Priority 0: answer at once so the stopping router's backups see a live master.
    c.actions.push({ type: 'send-advert', priority: ours });
    if (a.priority === 0) {
      count(c, 'priorityZeroReceived');
      log(c, 'debug', 'Master received priority 0 message');
      return;
    }
  }
  if (a.priority === ours) {
    if (cmp === 0) {
      log(
        c,
        'info',
        'WARNING - equal priority advert received from remote host with our IP address.',
      );
    } else if (ours === VRRP_PRIO_OWNER) {
      // Two address owners: keepalived 2.2.7 drops itself to 254, so the other owner's advert
      // now wins and we go to BACKUP (both sides do this; they then elect at 254 by address).
      log(
        c,
        'info',
        'CONFIGURATION ERROR: local instance and a remote instance are both configured as address owner, please fix - reducing local priority',
      );
      s.effectivePriority = VRRP_PRIO_OWNER - 1;
    }
  }
  const now_ours = s.effectivePriority;
  if (a.priority < now_ours || (a.priority === now_ours && cmp < 0)) {
    const election = p.lowerPrioNoAdvert ? '' : ', forcing new election';
    log(
      c,
      'info',
      `Received advert from ${a.from} with lower priority ${a.priority}, ours ${now_ours}${election}`,
    );
    if (!p.lowerPrioNoAdvert) c.actions.push({ type: 'send-advert', priority: now_ours });
    if (p.garpLowerPrioRepeat > 0) {
      c.actions.push({ type: 'garp', reason: 'lower-prio' });
      if (p.garpLowerPrioDelayMs > 0) s.garpLowerPrioAt = now + p.garpLowerPrioDelayMs;
    }
    c.actions.push({ type: 'notify', state: 'MASTER_RX_LOWER_PRI' });
    return;
  }
  if (a.priority > now_ours || (a.priority === now_ours && cmp > 0)) {
    log(
      c,
      'info',
      a.priority > now_ours
        ? `Master received advert from ${a.from} with higher priority ${a.priority}, ours ${now_ours}`
        : `Master received advert from ${a.from} with same priority ${a.priority} but higher IP address than ours`,
    );
    if (p.version === 3 && s.masterAdverIntCs !== a.advertIntCs) {
      log(
        c,
        'debug',
        `advertisement interval updated from ${s.masterAdverIntCs * 10}ms to ${a.advertIntCs * 10}ms by new master`,
      );
      s.masterAdverIntCs = a.advertIntCs;
    }
    s.masterPriority = a.priority;
    leaveMasterToBackup(c);
    s.masterAddress = a.from;
  }
}

/** Handles one due MASTER deadline; returns false if none was due. */
export function masterTimer(c: Ctx): boolean {
  const { p, s, now } = c;
  const due = (t: number | undefined): t is number => t !== undefined && t <= now;
  if (due(s.advertAt)) {
    c.actions.push({ type: 'send-advert', priority: s.effectivePriority });
    // From the ideal time, so timer lateness does not stretch every interval; a very late tick
    // re-arms from now as keepalived does, so it never bursts (timers.ts nextAdvertAt).
    s.advertAt = nextAdvertAt(s.advertAt, now, advertIntMs(c));
    return true;
  }
  if (due(s.garpAt)) {
    c.actions.push({ type: 'garp', reason: 'delayed' });
    s.garpAt = undefined;
    return true;
  }
  if (due(s.garpRefreshAt)) {
    c.actions.push({ type: 'garp', reason: 'refresh' });
    s.garpRefreshAt = now + p.garpMasterRefreshMs;
    return true;
  }
  if (due(s.garpLowerPrioAt)) {
    c.actions.push({ type: 'garp', reason: 'lower-prio' });
    s.garpLowerPrioAt = undefined;
    return true;
  }
  return false;
}
