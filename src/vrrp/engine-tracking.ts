// What tracking says about one instance right now: keepalived's weight arithmetic (priority.ts)
// over its trackers (trackers.ts), plus its own interface, which faults it when down unless
// `dont_track_primary` — keepalived.md §2.4/§2.5. A pending vrrp_script (no result yet) holds an
// unweighted tracker in FAULT and adds nothing when weighted, as keepalived's init state.

import type { VrrpInstance } from '../config/model.js';
import { effectivePriority, type PriorityVerdict, type TrackerStatus } from './priority.js';
import type { TrackerState } from './tracker-state.js';

export function trackerStatus(t: TrackerState): TrackerStatus {
  if (t.kind === 'file')
    return {
      kind: 'file',
      name: t.name,
      weight: t.weight,
      reverse: t.reverse,
      value: t.value ?? 0,
    };
  // Pending: unweighted ⇒ counts as down (FAULT); weighted ⇒ neutral (up for a negative weight).
  const up = t.pending === true ? t.weight < 0 : t.up;
  return { kind: t.kind, name: t.name, weight: t.weight, reverse: t.reverse, up };
}

export function evaluateTracking(
  inst: VrrpInstance,
  trackers: readonly TrackerState[],
  linkUp: (ifname: string) => boolean | undefined,
): PriorityVerdict {
  const statuses = trackers.map(trackerStatus);
  if (inst.interface !== undefined && !inst.dontTrackPrimary && inst.vrrpTransport === 'raw') {
    statuses.push({
      kind: 'interface',
      name: inst.interface,
      weight: 0,
      reverse: false,
      up: linkUp(inst.interface) ?? true,
    });
  }
  return effectivePriority(inst.priority, statuses);
}
