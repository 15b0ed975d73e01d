// The pure VRRP core (house style §18; RFC 3768 §6.4, RFC 5798 §6.4, keepalived 2.2.7 as in
// shared/reference/keepalived.md §2.3–§2.4): step(params, state, event, now) → { state, actions }.
// No I/O and no clock: the runtime (instance.ts) performs the actions in order, arms one timer
// for nextDeadline(state) and feeds `{ type: 'timer' }` when it is due.

import {
  becomeMaster,
  clearMasterTimers,
  count,
  draftOf,
  enterFault,
  freeze,
  leaveFaultToBackup,
  leaveMasterToBackup,
  log,
  mdiMs,
  skewMs,
} from './state-common.js';
import type { Ctx } from './state-common.js';
import { backupDownTimer, backupRx } from './state-backup.js';
import { masterRx, masterTimer } from './state-master.js';
import { VRRP_PRIO_OWNER } from './priority.js';
import type {
  StepResult,
  SyncTarget,
  VrrpEvent,
  VrrpInstanceState,
  VrrpParams,
} from './state-types.js';

export type {
  NotifyState,
  StepResult,
  SyncTarget,
  VrrpAction,
  VrrpCounters,
  VrrpEvent,
  VrrpInstanceState,
  VrrpParams,
  VrrpStateName,
} from './state-types.js';

/** A safety bound on deadlines handled by one timer event (each re-arms into the future). */
const MAX_DEADLINES_PER_STEP = 8;

export function initialState(
  params: VrrpParams,
  opts: { readonly faulty?: boolean; readonly effectivePriority?: number } = {},
): VrrpInstanceState {
  return {
    state: 'INIT',
    wantState: 'BACKUP',
    effectivePriority: opts.effectivePriority ?? params.basePriority,
    masterAdverIntCs: params.advertIntCs,
    faulty: opts.faulty ?? false,
    counters: { becomeMaster: 0, releaseMaster: 0, priorityZeroSent: 0, priorityZeroReceived: 0 },
  };
}

export function step(
  params: VrrpParams,
  state: VrrpInstanceState,
  event: VrrpEvent,
  now: number,
): StepResult {
  const c: Ctx = { p: params, now, s: draftOf(state), actions: [] };
  switch (event.type) {
    case 'start':
      if (c.s.state === 'INIT') start(c);
      break;
    case 'advert':
      if (c.s.state === 'BACKUP') backupRx(c, event);
      else if (c.s.state === 'MASTER') masterRx(c, event);
      // INIT, FAULT and STOP ignore adverts, as keepalived does.
      break;
    case 'timer':
      timers(c);
      break;
    case 'priority':
      priorityChange(c, event.effective);
      break;
    case 'fault':
      fault(c, event.faulty);
      break;
    case 'shutdown':
      shutdown(c);
      break;
    case 'sync':
      sync(c, event.to);
      break;
  }
  return { state: freeze(c.s), actions: c.actions };
}

/** The earliest deadline the runtime must wake up for, if any. */
export function nextDeadline(state: VrrpInstanceState): number | undefined {
  let next: number | undefined;
  for (const t of [
    state.downAt,
    state.advertAt,
    state.garpAt,
    state.garpRefreshAt,
    state.garpLowerPrioAt,
  ]) {
    if (t !== undefined && (next === undefined || t < next)) next = t;
  }
  return next;
}

function isOwner(p: VrrpParams): boolean {
  return p.basePriority === VRRP_PRIO_OWNER && p.initialState === 'MASTER';
}

/** vrrp_init_state. */
function start(c: Ctx): void {
  const { p, s, now } = c;
  if (s.faulty) {
    log(c, 'info', 'Entering FAULT STATE (init)');
    c.actions.push({ type: 'notify', state: 'FAULT' });
    s.state = 'FAULT';
    return;
  }
  if (isOwner(p) && p.syncGroup === undefined) {
    // keepalived arms a 1 µs down timer; the expiry path is this one.
    becomeMaster(c);
    return;
  }
  log(c, 'info', 'Entering BACKUP STATE (init)');
  c.actions.push({ type: 'notify', state: 'BACKUP' });
  s.state = 'BACKUP';
  if (isOwner(p)) {
    // An owner in a sync group wants MASTER now; the group decides (sync-group.ts).
    s.wantState = 'MASTER';
    s.downAt = now + mdiMs(c);
  } else {
    // `state MASTER` below 255 is only a wish: keepalived 2.2.7 waits the full
    // Master_Down_Interval as for BACKUP (measured: 3.414 s at priority 150, advert_int 1, alone
    // on the LAN; keepalived.md §2.4's "one interval" does not hold for 2.2.7).
    s.downAt = now + mdiMs(c);
  }
}

function timers(c: Ctx): void {
  const { s, now } = c;
  for (let i = 0; i < MAX_DEADLINES_PER_STEP; i++) {
    if (s.state === 'BACKUP' && s.downAt !== undefined && s.downAt <= now) {
      s.downAt = undefined;
      backupDownTimer(c);
    } else if (s.state !== 'MASTER' || !masterTimer(c)) {
      return;
    }
  }
}

function priorityChange(c: Ctx, effective: number): void {
  const { s } = c;
  if (effective === s.effectivePriority) return;
  if (s.state !== 'INIT') {
    log(c, 'info', `Changing effective priority from ${s.effectivePriority} to ${effective}`);
  }
  const oldSkew = skewMs(c);
  s.effectivePriority = effective;
  // A running down timer moves by the change in Skew_Time (the MDI difference), so a backup
  // whose priority rose claims mastership sooner. A master just advertises the new value.
  if (s.state === 'BACKUP' && s.downAt !== undefined) s.downAt += skewMs(c) - oldSkew;
}

function fault(c: Ctx, faulty: boolean): void {
  const { p, s } = c;
  if (faulty === s.faulty) return;
  s.faulty = faulty;
  if (faulty) {
    if (s.state === 'MASTER' || s.state === 'BACKUP') enterFault(c);
    return;
  }
  // Leaving FAULT: a sync-group member waits for its group to release it (sync-group.ts).
  if (s.state !== 'FAULT' || p.syncGroup !== undefined) return;
  if (isOwner(p)) becomeMaster(c);
  else leaveFaultToBackup(c);
}

function shutdown(c: Ctx): void {
  const { s } = c;
  if (s.state === 'STOP') return;
  if (s.state === 'MASTER') {
    // Priority 0 lets the best backup take over after Skew_Time instead of a whole MDI.
    c.actions.push({ type: 'send-advert', priority: 0 });
    count(c, 'priorityZeroSent');
    log(c, 'debug', 'sent 0 priority');
    c.actions.push({ type: 'remove-vips' });
  }
  if (s.state !== 'INIT') c.actions.push({ type: 'notify', state: 'STOP' });
  s.state = 'STOP';
  s.downAt = undefined;
  s.preemptDelayAt = undefined;
  clearMasterTimers(s);
}

/** A state forced by the sync group (vrrp_sync_master / _backup / _fault). */
function sync(c: Ctx, to: SyncTarget): void {
  const { s } = c;
  switch (to) {
    case 'MASTER':
      if (s.state === 'BACKUP') becomeMaster(c);
      break;
    case 'BACKUP':
      if (s.state === 'MASTER') leaveMasterToBackup(c);
      else if (s.state === 'FAULT' && !s.faulty) leaveFaultToBackup(c);
      break;
    case 'FAULT':
      if (s.state === 'MASTER' || s.state === 'BACKUP') enterFault(c);
      break;
  }
}
