// The scheduler registry, keyed by ipvsadm's short names (house style §20). Each algorithm
// lives in its own file and follows shared/reference/ipvs.md §1.

import type { LvsSched } from '../../config/model.js';
import type { Scheduler, SchedulerFactory, SchedulerOptions } from '../scheduler.js';
import { createDh } from './dh.js';
import { createFo } from './fo.js';
import { createLblc } from './lblc.js';
import { createLblcr } from './lblcr.js';
import { createLc } from './lc.js';
import { createMh } from './mh.js';
import { createNq } from './nq.js';
import { createOvf } from './ovf.js';
import { createRr } from './rr.js';
import { createSed } from './sed.js';
import { createSh } from './sh.js';
import { createTwos } from './twos.js';
import { createWlc } from './wlc.js';
import { createWrr } from './wrr.js';

const FACTORIES: Readonly<Record<LvsSched, SchedulerFactory>> = {
  rr: createRr,
  wrr: createWrr,
  lc: createLc,
  wlc: createWlc,
  lblc: createLblc,
  lblcr: createLblcr,
  dh: createDh,
  sh: createSh,
  sed: createSed,
  nq: createNq,
  mh: createMh,
  fo: createFo,
  ovf: createOvf,
  twos: createTwos,
};

export const SCHEDULER_NAMES: readonly LvsSched[] = Object.keys(FACTORIES) as LvsSched[];

export function createScheduler(name: LvsSched, options: SchedulerOptions): Scheduler {
  return FACTORIES[name](options);
}

/** The table's scheduler lookup (TableOptions.schedulers) backed by this registry. */
export function schedulerFactory(name: LvsSched): SchedulerFactory | undefined {
  return FACTORIES[name];
}
