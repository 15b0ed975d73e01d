// Test-only schedulers (the real ones live in src/ipvs/schedulers/, owned elsewhere): rr and
// lc with the kernel's rules (§1: weight 0 and OVERLOAD skipped; lc ties → first in list), and
// a "first" scheduler that always picks the first eligible destination.

import type { LvsSched } from '../../../src/config/model.js';
import type { SchedDest, Scheduler, SchedulerFactory } from '../../../src/ipvs/scheduler.js';

function eligible(d: SchedDest): boolean {
  return d.weight > 0 && !d.overloaded;
}

export const rr: SchedulerFactory = () => {
  let dests: readonly SchedDest[] = [];
  let last: SchedDest | undefined;
  const s: Scheduler = {
    name: 'rr',
    update(list) {
      dests = [...list];
      if (last !== undefined && !dests.includes(last)) last = undefined;
    },
    countsChanged() {
      // counts are read at select time
    },
    select() {
      const start = last === undefined ? 0 : dests.indexOf(last) + 1;
      for (let i = 0; i < dests.length; i++) {
        const d = dests[(start + i) % dests.length];
        if (d !== undefined && eligible(d)) {
          last = d;
          return d;
        }
      }
      return undefined;
    },
  };
  return s;
};

export const lc: SchedulerFactory = () => {
  let dests: readonly SchedDest[] = [];
  const s: Scheduler = {
    name: 'lc',
    update(list) {
      dests = [...list];
    },
    countsChanged() {
      // counts are read at select time
    },
    select() {
      let best: SchedDest | undefined;
      let bestOh = Infinity;
      for (const d of dests) {
        if (!eligible(d)) continue;
        const oh = d.activeConns * 256 + d.inactConns;
        if (oh < bestOh) {
          best = d;
          bestOh = oh;
        }
      }
      return best;
    },
  };
  return s;
};

/** Scheduler lookup for tables under test: rr, lc, and wlc served by lc. */
export function testSchedulers(name: LvsSched): SchedulerFactory | undefined {
  if (name === 'rr') return rr;
  if (name === 'lc' || name === 'wlc') return lc;
  return undefined;
}
