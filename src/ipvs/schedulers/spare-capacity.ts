// The "weight*2" rule shared by lblc and lblcr (is_overloaded() in ip_vs_lblc.c and
// ip_vs_lblcr.c): a cached dest counts as overloaded when its activeconns exceed its weight
// and some dest of the service has activeconns * 2 < weight. Instead of the kernel's scan we
// count the dests below half their weight, kept current on every counter change: O(1).

import type { SchedDest } from '../scheduler.js';

export interface SpareCapacity {
  rebuild(dests: readonly SchedDest[]): void;
  /** A dest at `position` in the current list changed its counters or weight. */
  refresh(position: number): void;
  isOverloaded(dest: SchedDest): boolean;
}

const hasSpare = (d: SchedDest): boolean => d.activeConns * 2 < d.weight;

export function createSpareCapacity(): SpareCapacity {
  let list: readonly SchedDest[] = [];
  let spare = new Uint8Array(0);
  let count = 0;
  return {
    rebuild(dests) {
      list = dests;
      spare = new Uint8Array(dests.length);
      count = 0;
      dests.forEach((d, i) => {
        if (hasSpare(d)) {
          spare[i] = 1;
          count++;
        }
      });
    },
    refresh(position) {
      const d = list[position];
      if (d === undefined) return;
      const now = hasSpare(d) ? 1 : 0;
      count += now - (spare[position] ?? 0);
      spare[position] = now;
    },
    isOverloaded(dest) {
      return dest.activeConns > dest.weight && count > 0;
    },
  };
}
