// fo — weighted failover (ip_vs_fo.c, Linux 3.18+, ipvs.md §1 fo): the highest weight among
// dests with no OVERLOAD flag and weight > 0, the earliest in list order on ties. It ignores
// load, so the answer only changes with the list, weights or flags: computed in update(),
// select() is O(1).

import type { SchedDest, Scheduler, SchedulerFactory } from '../scheduler.js';

export const createFo: SchedulerFactory = (): Scheduler => {
  let chosen: SchedDest | undefined;
  return {
    name: 'fo',
    update(dests) {
      chosen = undefined;
      let highest = 0;
      for (const d of dests) {
        if (!d.overloaded && d.weight > highest) {
          chosen = d;
          highest = d.weight;
        }
      }
    },
    countsChanged() {
      // fo does not look at counters.
    },
    select() {
      return chosen;
    },
  };
};
