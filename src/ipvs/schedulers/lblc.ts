// lblc — locality-based least connection (ip_vs_lblc.c, ipvs.md §1 lblc), keyed on the
// packet's destination address. A cached dest is reused while it is still in the service
// (the kernel's AVAILABLE flag), has weight > 0 and is not overloaded by the weight*2 rule;
// note the kernel does not test the OVERLOAD flag on this path. Otherwise wlc over the whole
// service (skipping OVERLOAD) picks a dest and replaces the entry; no dest means undefined.
// The wlc step uses the tournament index; the cache and its expiry live in locality-table.ts.

import type { SchedDest, Scheduler, SchedulerFactory } from '../scheduler.js';
import { createLocalityTable, type LocalityEntry } from './locality-table.js';
import { isUsable, wlcBetter } from './overhead.js';
import { createSpareCapacity } from './spare-capacity.js';
import { createTournament } from './tournament.js';

interface LblcEntry extends LocalityEntry {
  dest: SchedDest;
}

export const createLblc: SchedulerFactory = (options): Scheduler => {
  const wlc = createTournament(isUsable, wlcBetter);
  const spare = createSpareCapacity();
  const table = createLocalityTable<LblcEntry>(options.now());
  let members = new Map<number, SchedDest>();

  return {
    name: 'lblc',
    update(dests) {
      wlc.rebuild(dests);
      spare.rebuild(dests);
      members = new Map(dests.map((d) => [d.id, d]));
    },
    countsChanged(dest) {
      wlc.refresh(dest);
      spare.refresh(wlc.position(dest));
    },
    select(packet) {
      const now = options.now();
      table.collect(now);
      const en = table.get(packet.virtualAddress);
      if (en !== undefined) {
        en.lastuse = now;
        const d = members.get(en.dest.id);
        if (d !== undefined && d.weight > 0 && !spare.isOverloaded(d)) return d;
      }
      const dest = wlc.winner();
      if (dest === undefined) return undefined;
      // ip_vs_lblc_new keeps an entry that already points at this dest.
      if (en?.dest.id !== dest.id) {
        table.set(packet.virtualAddress, { dest, lastuse: now });
      }
      return dest;
    },
  };
};
