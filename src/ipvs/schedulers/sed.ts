// sed — shortest expected delay (ip_vs_sed.c, ipvs.md §1 sed): wlc's two-stage scan with the
// overhead `activeconns + 1`, i.e. the first usable dest of minimal (active + 1) / weight.

import type { Scheduler, SchedulerFactory } from '../scheduler.js';
import { createIndexedScheduler } from './indexed.js';
import { isUsable, sedBetter } from './overhead.js';

export const createSed: SchedulerFactory = (): Scheduler =>
  createIndexedScheduler('sed', isUsable, sedBetter);
