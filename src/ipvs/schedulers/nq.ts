// nq — never queue (ip_vs_nq.c, ipvs.md §1 nq). Over dests with weight != 0 and no OVERLOAD
// flag, the kernel returns the first idle one (activeconns == 0) at once; otherwise the first
// of minimal (active + 1) / weight, as sed. As one order: idle dests beat busy ones, idle
// dests tie with each other (so the earliest wins), busy dests compare as in sed.

import type { Scheduler, SchedulerFactory } from '../scheduler.js';
import { createIndexedScheduler } from './indexed.js';
import { sedBetter } from './overhead.js';

export const createNq: SchedulerFactory = (): Scheduler =>
  createIndexedScheduler(
    'nq',
    (d) => d.weight !== 0 && !d.overloaded,
    (d, least) => {
      if (least.activeConns === 0) return false;
      if (d.activeConns === 0) return true;
      return sedBetter(d, least);
    },
  );
