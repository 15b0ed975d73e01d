// Shared machinery of the VRRP transition function: the mutable draft a single step works on
// (the caller's state is never touched), the action list it appends to, and the transitions
// several events share (become master, leave master, enter backup or fault). The order of
// actions inside each transition is keepalived 2.2.7's (vrrp.c), which operators see in logs.

import { masterDownIntervalMs, skewTimeMs } from './timers.js';
import type {
  VrrpAction,
  VrrpCounters,
  VrrpInstanceState,
  VrrpParams,
  VrrpStateName,
} from './state-types.js';

type OptionalKeys =
  | 'downAt'
  | 'advertAt'
  | 'preemptDelayAt'
  | 'garpAt'
  | 'garpRefreshAt'
  | 'garpLowerPrioAt'
  | 'masterAddress'
  | 'masterPriority';

/** The state during one step: writable, optional fields settable to undefined. */
export type Draft = {
  -readonly [K in Exclude<keyof VrrpInstanceState, OptionalKeys>]: VrrpInstanceState[K];
} & {
  -readonly [K in OptionalKeys]: VrrpInstanceState[K] | undefined;
};

export interface Ctx {
  readonly p: VrrpParams;
  readonly now: number;
  readonly s: Draft;
  readonly actions: VrrpAction[];
}

export function draftOf(state: VrrpInstanceState): Draft {
  // Absent optional fields read as undefined, which is what Draft allows.
  return { ...state } as Draft;
}

/** Drop undefined fields so states compare cleanly (exactOptionalPropertyTypes). */
export function freeze(s: Draft): VrrpInstanceState {
  return Object.fromEntries(
    Object.entries(s).filter(([, v]) => v !== undefined),
  ) as unknown as VrrpInstanceState;
}

export function log(c: Ctx, level: 'info' | 'warn' | 'debug', text: string): void {
  c.actions.push({ type: 'log', level, msg: `(${c.p.name}) ${text}` });
}

export function count(c: Ctx, key: keyof VrrpCounters): void {
  c.s.counters = { ...c.s.counters, [key]: c.s.counters[key] + 1 };
}

export function mdiMs(c: Ctx): number {
  return masterDownIntervalMs(
    c.p.version,
    c.s.effectivePriority,
    c.s.masterAdverIntCs,
    c.p.downTimerAdverts,
  );
}

export function skewMs(c: Ctx): number {
  return skewTimeMs(c.p.version, c.s.effectivePriority, c.s.masterAdverIntCs);
}

export function advertIntMs(c: Ctx): number {
  return c.p.advertIntCs * 10;
}

export function clearMasterTimers(s: Draft): void {
  s.advertAt = undefined;
  s.garpAt = undefined;
  s.garpRefreshAt = undefined;
  s.garpLowerPrioAt = undefined;
}

function setState(c: Ctx, state: VrrpStateName): void {
  c.s.state = state;
}

/**
 * BACKUP/sync → MASTER (vrrp_state_goto_master + vrrp_state_master_tx): the advert goes first
 * so the old master drops its VIPs before our GARPs arrive.
 */
export function becomeMaster(c: Ctx): void {
  const { p, s, now } = c;
  c.actions.push({ type: 'send-advert', priority: s.effectivePriority });
  log(c, 'info', 'Entering MASTER STATE');
  if (p.version === 3 && s.masterAdverIntCs !== p.advertIntCs) {
    log(
      c,
      'debug',
      `changing advert interval from ${s.masterAdverIntCs * 10}ms to locally configured ${p.advertIntCs * 10}ms`,
    );
  }
  s.masterAdverIntCs = p.advertIntCs;
  c.actions.push({ type: 'add-vips' });
  c.actions.push({ type: 'garp', reason: 'master' });
  c.actions.push({ type: 'notify', state: 'MASTER' });
  setState(c, 'MASTER');
  s.wantState = 'MASTER';
  s.downAt = undefined;
  s.preemptDelayAt = undefined;
  s.masterAddress = undefined;
  s.masterPriority = undefined;
  s.advertAt = now + advertIntMs(c);
  s.garpAt = p.garpMasterDelayMs > 0 ? now + p.garpMasterDelayMs : undefined;
  s.garpRefreshAt = p.garpMasterRefreshMs > 0 ? now + p.garpMasterRefreshMs : undefined;
  s.garpLowerPrioAt = undefined;
  count(c, 'becomeMaster');
}

/** MASTER → BACKUP (vrrp_state_leave_master with wantstate BACKUP). */
export function leaveMasterToBackup(c: Ctx): void {
  const { s } = c;
  log(c, 'info', 'Entering BACKUP STATE');
  c.actions.push({ type: 'remove-vips' });
  c.actions.push({ type: 'notify', state: 'BACKUP' });
  setState(c, 'BACKUP');
  s.wantState = 'BACKUP';
  s.preemptDelayAt = undefined;
  clearMasterTimers(s);
  s.downAt = c.now + mdiMs(c);
  count(c, 'releaseMaster');
}

/**
 * → FAULT. From MASTER keepalived logs, sends a priority-0 advert so a backup takes over after
 * only Skew_Time, then drops the VIPs (vrrp_state_leave_master with wantstate FAULT).
 */
export function enterFault(c: Ctx): void {
  const { s } = c;
  const wasMaster = s.state === 'MASTER';
  log(c, 'info', 'Entering FAULT STATE');
  if (wasMaster) {
    c.actions.push({ type: 'send-advert', priority: 0 });
    count(c, 'priorityZeroSent');
    c.actions.push({ type: 'remove-vips' });
    count(c, 'releaseMaster');
  }
  c.actions.push({ type: 'notify', state: 'FAULT' });
  setState(c, 'FAULT');
  s.wantState = 'BACKUP';
  s.downAt = undefined;
  s.preemptDelayAt = undefined;
  clearMasterTimers(s);
}

/** FAULT → BACKUP (vrrp_state_leave_fault): our own interval again and a full MDI. */
export function leaveFaultToBackup(c: Ctx): void {
  const { p, s } = c;
  log(c, 'info', 'Entering BACKUP STATE');
  c.actions.push({ type: 'notify', state: 'BACKUP' });
  setState(c, 'BACKUP');
  s.wantState = 'BACKUP';
  s.preemptDelayAt = undefined;
  s.masterAdverIntCs = p.advertIntCs;
  s.downAt = c.now + mdiMs(c);
}
