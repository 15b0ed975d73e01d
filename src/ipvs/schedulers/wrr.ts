// wrr — weighted round robin (ip_vs_wrr.c, ipvs.md §1 wrr), state {cl, cw, mw, di}.
//
// update() is the kernel's ip_vs_wrr_dest_changed (called on every add, edit and delete):
// cl back to the list head, di = gcd of the positive weights (1 if none), mw = max weight -
// (di - 1), and cw = mw if cw > mw or cw == 0, else rounded to the level grid when di > 1.
// The initial state is cw = 0, so a first update() equals ip_vs_wrr_init_svc. Because the
// table calls update() once per added dest, cw keeps the value it had after the first dest:
// that is why a real kernel given A=4, B=3, C=2 in that order starts C B A A B A C B A
// (cw stays 1 from the lone A=4, mw=1 state) rather than A A B ... as from a fresh service.
// The kernel does not call the scheduler when only an OVERLOAD flag flips (connection
// accounting sets and clears it), so an update() whose only difference is an overload flag
// keeps cl and cw. Any other update(), even one with no visible change (an edit of a
// threshold or of a weight to its old value), is an edit and resets as the kernel does.
//
// select() is the kernel loop (scan forward from cl for a non-overloaded dest with weight >=
// cw; at the end of the list cw -= di, wrapping to mw; give up after the last level has been
// checked against every dest), with two shortcuts that do not change its result: the scan
// uses a max segment tree, and a run of whole-list passes at levels above the heaviest
// eligible weight (where the kernel finds nothing and only lowers cw) is taken in one step.

import type { SchedDest, Scheduler, SchedulerFactory } from '../scheduler.js';
import { gcdOfPositive } from './gcd.js';
import { createMaxTree, type MaxTree } from './max-tree.js';

/** How many positions to test directly before asking the tree: the common case is a hit. */
const PROBE = 4;

export const createWrr: SchedulerFactory = (): Scheduler => {
  let list: readonly SchedDest[] = [];
  let weights: number[] = [];
  let flags: boolean[] = [];
  let tree: MaxTree = createMaxTree([]);
  /** Position of the last pick; -1 is the list head. */
  let cl = -1;
  let cw = 0;
  let mw = 0;
  let di = 1;

  const firstAtLeast = (from: number, level: number): number => {
    const end = Math.min(list.length, from + PROBE);
    for (let i = from; i < end; i++) {
      const d = list[i];
      if (d !== undefined && !d.overloaded && d.weight >= level) return i;
    }
    return tree.firstAtLeast(end, level);
  };

  return {
    name: 'wrr',
    update(dests) {
      const overloadOnly =
        dests.length === list.length &&
        dests.every((d, i) => d.id === list[i]?.id && d.weight === weights[i]) &&
        dests.some((d, i) => d.overloaded !== flags[i]);
      list = dests.slice();
      weights = list.map((d) => d.weight);
      flags = list.map((d) => d.overloaded);
      tree = createMaxTree(list.map((d) => (d.overloaded ? 0 : Math.max(0, d.weight))));
      if (overloadOnly) return;
      cl = -1;
      di = gcdOfPositive(weights) || 1;
      mw = weights.reduce((m, w) => Math.max(m, w), 0) - (di - 1);
      if (cw > mw || cw === 0) cw = mw;
      else if (di > 1) cw = Math.floor(cw / di) * di + 1;
    },
    countsChanged() {
      // wrr does not look at counters.
    },
    select() {
      if (mw === 0) return undefined;
      const last = cl;
      let stop = -1;
      let lastPass = false;
      let restarted = false;
      let from = cl + 1;
      while (true) {
        if (from === 0 && stop < 0 && cw > di && tree.max < cw) {
          // Whole-list passes at cw, cw - di, ... find nothing until cw <= tree.max; none of
          // them can wrap or be the last pass while cw stays above di.
          const toMax = Math.ceil((cw - tree.max) / di);
          const aboveLast = Math.floor((cw - di - 1) / di);
          cw -= Math.min(toMax, aboveLast) * di;
        }
        const found = firstAtLeast(from, cw);
        if (stop >= from && (found < 0 || found > stop)) return undefined;
        if (found >= 0) {
          cl = found;
          return list[found];
        }
        cw -= di;
        if (cw <= 0) {
          cw = mw;
          if (lastPass || last < 0) return undefined;
          restarted = true;
        }
        lastPass = cw <= di;
        if (lastPass && restarted && last >= 0) stop = last;
        from = 0;
      }
    },
  };
};
