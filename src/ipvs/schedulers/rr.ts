// rr — round robin (ip_vs_rr.c, ipvs.md §1 rr). The kernel keeps a pointer to the last
// chosen list node (initially the list head) and walks forward from the node after it,
// wrapping once, to the first dest with weight > 0 and no OVERLOAD flag. When the pointed-to
// dest is deleted the pointer moves to its predecessor (ip_vs_rr_del_dest).
//
// Eligibility only changes in update(), so update() precomputes, for every position, the next
// eligible position at or after it: select() is O(1) instead of the kernel's O(skipped dests).

import type { SchedDest, Scheduler, SchedulerFactory } from '../scheduler.js';

export const createRr: SchedulerFactory = (): Scheduler => {
  let list: readonly SchedDest[] = [];
  /** Position of the last pick; -1 is the list head. */
  let last = -1;
  /** nextEligible[i]: first eligible position >= i, or -1. */
  let nextEligible = new Int32Array(0);

  return {
    name: 'rr',
    update(dests) {
      const survivors = new Map<number, number>();
      dests.forEach((d, i) => survivors.set(d.id, i));
      // Sequential deletions each move the pointer to the predecessor, which together means
      // the nearest surviving dest before it in the old list (or the head).
      let moved = -1;
      for (let i = last; i >= 0; i--) {
        const old = list[i];
        const at = old === undefined ? undefined : survivors.get(old.id);
        if (at !== undefined) {
          moved = at;
          break;
        }
      }
      list = dests.slice();
      last = moved;
      nextEligible = new Int32Array(list.length);
      let next = -1;
      for (let i = list.length - 1; i >= 0; i--) {
        const d = list[i];
        if (d !== undefined && d.weight > 0 && !d.overloaded) next = i;
        nextEligible[i] = next;
      }
    },
    countsChanged() {
      // rr does not look at counters.
    },
    select() {
      const n = list.length;
      if (n === 0) return undefined;
      let pick = last + 1 < n ? (nextEligible[last + 1] ?? -1) : -1;
      if (pick < 0) pick = nextEligible[0] ?? -1;
      if (pick < 0) return undefined;
      last = pick;
      return list[pick];
    },
  };
};
