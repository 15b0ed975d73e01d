// wlc — weighted least connection, ipvsadm's default (ip_vs_wlc.c, ipvs.md §1 wlc).
// The kernel takes the first dest with weight > 0 and no OVERLOAD flag, then lets a later
// non-overloaded dest replace it when `loh * w(d) > doh * w(least)`. A weight-0 dest can never
// satisfy that, so the pick is the first dest of minimal overhead/weight among usable ones.

import type { Scheduler, SchedulerFactory } from '../scheduler.js';
import { createIndexedScheduler } from './indexed.js';
import { isUsable, wlcBetter } from './overhead.js';

export const createWlc: SchedulerFactory = (): Scheduler =>
  createIndexedScheduler('wlc', isUsable, wlcBetter);
