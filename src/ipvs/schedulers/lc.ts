// lc — least connection (net/netfilter/ipvs/ip_vs_lc.c, shared/reference/ipvs.md §1 lc).
// Minimum overhead (active*256 + inactive) over dests with weight != 0 and no OVERLOAD flag;
// a strictly smaller overhead is needed to displace the earlier candidate, so ties go to the
// first dest in list order, i.e. the one added last.

import type { Scheduler, SchedulerFactory } from '../scheduler.js';
import { createIndexedScheduler } from './indexed.js';
import { connOverhead } from './overhead.js';

export const createLc: SchedulerFactory = (): Scheduler =>
  createIndexedScheduler(
    'lc',
    (d) => d.weight !== 0 && !d.overloaded,
    (d, least) => connOverhead(d) < connOverhead(least),
  );
