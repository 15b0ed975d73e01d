// The common shape of the schedulers whose kernel pick is one linear "best dest" scan: the
// scan becomes a tournament tree (tournament.ts) kept current by update() and
// countsChanged(), and select() reads the root.

import type { LvsSched } from '../../config/model.js';
import type { SchedDest, Scheduler } from '../scheduler.js';
import { createTournament } from './tournament.js';

export function createIndexedScheduler(
  name: LvsSched,
  eligible: (d: SchedDest) => boolean,
  better: (challenger: SchedDest, incumbent: SchedDest) => boolean,
): Scheduler {
  const index = createTournament(eligible, better);
  return {
    name,
    update(dests) {
      index.rebuild(dests);
    },
    countsChanged(dest) {
      index.refresh(dest);
    },
    select() {
      return index.winner();
    },
  };
}
