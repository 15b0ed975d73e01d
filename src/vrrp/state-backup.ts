// BACKUP behaviour (RFC 3768 §6.4.2, RFC 5798 §6.4.2, keepalived 2.2.7 vrrp_state_backup):
// which adverts hold a backup down, when it preempts, and its down-timer expiry.

import { becomeMaster, count, log, mdiMs, skewMs } from './state-common.js';
import type { Ctx } from './state-common.js';

export interface RxAdvert {
  readonly from: string;
  readonly priority: number;
  readonly advertIntCs: number;
}

export function backupRx(c: Ctx, a: RxAdvert): void {
  const { p, s, now } = c;
  if (a.priority === 0) {
    // The master is stopping: take over after Skew_Time only, so the higher-priority backup
    // (shorter skew) wins the race.
    log(c, 'debug', 'Backup received priority 0 advertisement');
    count(c, 'priorityZeroReceived');
    s.downAt = now + skewMs(c);
    return;
  }
  const inPreemptDelay =
    p.preemptDelayMs > 0 && (s.preemptDelayAt === undefined || s.preemptDelayAt > now);
  if (p.nopreempt || a.priority >= s.effectivePriority || inPreemptDelay) {
    // Accept this master. Equal priority keeps us backup too (#1440): only a master compares
    // addresses.
    if (p.version === 3 && s.masterAdverIntCs !== a.advertIntCs) {
      log(
        c,
        'debug',
        `advertisement interval updated from ${s.masterAdverIntCs * 10}ms to ${a.advertIntCs * 10}ms by master`,
      );
      s.masterAdverIntCs = a.advertIntCs;
    }
    s.downAt = now + mdiMs(c);
    s.masterAddress = a.from;
    s.masterPriority = a.priority;
    if (p.preemptDelayMs > 0) {
      if (a.priority >= s.effectivePriority) {
        if (s.preemptDelayAt !== undefined) {
          log(c, 'debug', 'stop preempt delay');
          s.preemptDelayAt = undefined;
        }
      } else if (s.preemptDelayAt === undefined) {
        log(c, 'debug', `start preempt delay (${formatSeconds(p.preemptDelayMs)})`);
        s.preemptDelayAt = now + p.preemptDelayMs;
      }
    }
    s.wantState = 'BACKUP';
    return;
  }
  // Lower priority and we may preempt: ignore it and let the down timer run out, so preemption
  // takes about one MDI rather than happening on the first advert.
  log(c, 'info', `received lower priority (${a.priority}) advert from ${a.from} - discarding`);
  s.masterAddress = a.from;
}

/** Master_Down_Timer expired: become master, or (sync group member) ask the group to. */
export function backupDownTimer(c: Ctx): void {
  const { p, s } = c;
  log(c, 'debug', 'Receive advertisement timeout');
  if (p.syncGroup !== undefined) {
    // vrrp_sync_can_goto_master: wait in BACKUP with a fresh MDI; sync-group.ts forces MASTER
    // once every member wants it.
    s.wantState = 'MASTER';
    s.downAt = c.now + mdiMs(c);
    return;
  }
  becomeMaster(c);
}

/** keepalived prints delays as seconds with six decimals ("%lu.%6.6lu"). */
function formatSeconds(ms: number): string {
  const us = Math.round(ms * 1000);
  return `${Math.floor(us / 1_000_000)}.${String(us % 1_000_000).padStart(6, '0')}`;
}
