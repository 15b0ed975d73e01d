// vrrp_sync_group rules (keepalived.md §2.6, keepalived 2.2.7 vrrp_sync.c) as a pure function:
// the runtime calls syncGroupDecide after each member step and feeds the forced events back
// through step(). Members never become MASTER on their own (state-backup.ts only sets
// wantState); the group goes MASTER when every member wants it, preferring BACKUP to avoid
// thrashing, and one member's BACKUP or FAULT drags the others along.

import type { SyncTarget, VrrpAction, VrrpEvent, VrrpStateName } from './state-types.js';

export type SyncGroupStateName = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT';

export interface SyncMemberView {
  readonly name: string;
  readonly state: VrrpStateName;
  readonly wantState: 'MASTER' | 'BACKUP';
  readonly faulty: boolean;
}

export interface SyncDecision {
  readonly groupState: SyncGroupStateName;
  /** Events to step() into members, in member order. */
  readonly forced: readonly { readonly member: string; readonly event: VrrpEvent }[];
  /** Group log lines and group notifies (notify_* of the vrrp_sync_group block). */
  readonly actions: readonly VrrpAction[];
}

export function syncGroupDecide(
  group: string,
  groupState: SyncGroupStateName,
  members: readonly SyncMemberView[],
): SyncDecision {
  // Nothing is decided before every member has started (they start in one tick).
  if (members.some((m) => m.state === 'INIT')) return { groupState, forced: [], actions: [] };
  const live = members.filter((m) => m.state !== 'STOP');
  if (live.length === 0) return { groupState, forced: [], actions: [] };

  if (live.some((m) => m.faulty)) return force(group, groupState, live, 'FAULT');
  if (groupState === 'FAULT') return force(group, groupState, live, 'BACKUP');
  if (live.every((m) => m.wantState === 'MASTER')) return force(group, groupState, live, 'MASTER');
  if (groupState === 'MASTER') return force(group, groupState, live, 'BACKUP');
  // INIT settles without forcing anyone: members start on their own (vrrp_init_state).
  return { groupState: groupState === 'INIT' ? 'BACKUP' : groupState, forced: [], actions: [] };
}

function force(
  group: string,
  groupState: SyncGroupStateName,
  members: readonly SyncMemberView[],
  to: SyncTarget,
): SyncDecision {
  const forced = members
    .filter((m) => m.state !== to)
    .map((m) => ({ member: m.name, event: { type: 'sync', to } as const }));
  const actions: VrrpAction[] = [];
  if (groupState !== to) {
    actions.push({
      type: 'log',
      level: 'info',
      msg: `VRRP_Group(${group}) Syncing instances to ${to} state`,
    });
    actions.push({ type: 'notify', state: to });
  }
  return { groupState: to, forced, actions };
}
