// ovf — weighted overflow (ip_vs_ovf.c, Linux 4.1+, ipvs.md §1 ovf). The highest weight
// among dests that have no OVERLOAD flag, weight != 0 and activeconns <= weight; a strictly
// higher weight is needed to displace an earlier candidate. A dest thus takes weight + 1
// active connections before traffic spills to the next weight. The condition depends on
// activeconns, so the tournament is refreshed on every counter change.

import type { Scheduler, SchedulerFactory } from '../scheduler.js';
import { createIndexedScheduler } from './indexed.js';

export const createOvf: SchedulerFactory = (): Scheduler =>
  createIndexedScheduler(
    'ovf',
    (d) => !d.overloaded && d.weight !== 0 && d.activeConns <= d.weight,
    (d, h) => d.weight > h.weight,
  );
