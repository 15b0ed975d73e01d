// twos — power of two random choices (ip_vs_twos.c, recent 6.x kernels, ipvs.md §1 twos).
// Over dests with weight > 0 and no OVERLOAD flag: T = sum of weights, r1 and r2 drawn from
// [0, T] (get_random_u32_below(T + 1), in that order), each resolved to the first dest at
// which the running weight sum reaches it; the second wins only if
// `weight2 * overhead1 > weight1 * overhead2`. The kernel does that in C int arithmetic, so we
// multiply with Math.imul to wrap exactly as it does (it matters once a product passes 2^31).
//
// Weights only change in update(), which builds the prefix sums: each draw is then a binary
// search, O(log n), instead of the kernel's walk.

import type { SchedDest, Scheduler, SchedulerFactory } from '../scheduler.js';
import { connOverhead } from './overhead.js';

export const createTwos: SchedulerFactory = (options): Scheduler => {
  let usable: SchedDest[] = [];
  /** prefix[i]: sum of the weights of usable[0..i]. */
  let prefix = new Float64Array(0);
  let total = 0;

  /** First usable dest whose running sum reaches r (the kernel's `r - sum <= 0`). */
  const resolve = (r: number): SchedDest | undefined => {
    let lo = 0;
    let hi = usable.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((prefix[mid] ?? 0) >= r) hi = mid;
      else lo = mid + 1;
    }
    return usable[lo];
  };

  return {
    name: 'twos',
    update(dests) {
      usable = dests.filter((d) => !d.overloaded && d.weight > 0);
      prefix = new Float64Array(usable.length);
      total = 0;
      usable.forEach((d, i) => {
        total += d.weight;
        prefix[i] = total;
      });
    },
    countsChanged() {
      // Overheads are read at pick time; nothing is indexed on counters.
    },
    select() {
      if (usable.length === 0) return undefined;
      const r1 = options.random(total + 1);
      const r2 = options.random(total + 1);
      const choice1 = resolve(r1);
      const choice2 = resolve(r2);
      if (choice1 === undefined || choice2 === undefined) return choice1 ?? choice2;
      const overhead1 = connOverhead(choice1);
      const overhead2 = connOverhead(choice2);
      const wins = Math.imul(choice2.weight, overhead1) > Math.imul(choice1.weight, overhead2);
      return wins ? choice2 : choice1;
    },
  };
};
