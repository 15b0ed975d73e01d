// Tracking arithmetic (keepalived.md §2.5, keepalived 2.2.7 vrrp_track.c): the effective
// priority of an instance is its base priority plus the weights of its trackers, clamped to
// 1..254; an unweighted tracker that fails puts the instance into FAULT instead. An address
// owner (base 255) keeps 255 whatever its weighted trackers say.
//
// `reverse` negates a tracker's contribution (keepalived's weight_multiplier −1): weight 10
// reverse takes 10 away while the tracker is up; an unweighted reversed tracker faults while
// it is up. track_file adds value × weight; a product of −254 or less is a fault, as is any
// non-zero value on an unweighted file (zero, if reversed).

export type TrackerKind = 'interface' | 'script' | 'process' | 'bfd' | 'file';

export type TrackerStatus =
  | {
      readonly kind: Exclude<TrackerKind, 'file'>;
      readonly name: string;
      readonly weight: number;
      readonly reverse: boolean;
      readonly up: boolean;
    }
  | {
      readonly kind: 'file';
      readonly name: string;
      readonly weight: number;
      readonly reverse: boolean;
      /** The integer read from the tracked file. */
      readonly value: number;
    };

export interface PriorityVerdict {
  readonly fault: boolean;
  readonly priority: number;
  /** `kind name` of the first tracker that faults the instance. */
  readonly faultBy?: string;
}

export const VRRP_PRIO_OWNER = 255;
const PRIO_MIN = 1;
const PRIO_MAX = 254;
/** keepalived clamps one track_file's contribution to −254..253; −254 means FAULT. */
const FILE_FAULT = -254;
const FILE_MAX = 253;

/** What one tracker adds to the priority, or 'fault'. */
export function trackerContribution(t: TrackerStatus): number | 'fault' {
  const mult = t.reverse ? -1 : 1;
  if (t.kind === 'file') {
    if (t.weight === 0) return (t.value !== 0) === !t.reverse ? 'fault' : 0;
    const status = Math.min(FILE_MAX, Math.max(FILE_FAULT, t.value * t.weight * mult));
    return status <= FILE_FAULT ? 'fault' : status;
  }
  if (t.weight === 0) return t.up === t.reverse ? 'fault' : 0;
  // A positive weight counts while up, a negative one while down (§2.5 table).
  if (t.weight > 0) return t.up ? t.weight * mult : 0;
  return t.up ? 0 : t.weight * mult;
}

export function effectivePriority(
  base: number,
  trackers: readonly TrackerStatus[],
): PriorityVerdict {
  let total = base;
  let faultBy: string | undefined;
  for (const t of trackers) {
    const c = trackerContribution(t);
    if (c === 'fault') faultBy ??= `${t.kind} ${t.name}`;
    else total += c;
  }
  // Clamping at 1 is why a big negative weight loses elections but never faults (#942).
  const priority =
    base === VRRP_PRIO_OWNER ? VRRP_PRIO_OWNER : Math.min(PRIO_MAX, Math.max(PRIO_MIN, total));
  return faultBy === undefined ? { fault: false, priority } : { fault: true, priority, faultBy };
}
