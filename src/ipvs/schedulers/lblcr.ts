// lblcr — locality-based least connection with replication (ip_vs_lblcr.c, ipvs.md §1
// lblcr). Each cached address maps to a set of dests (newest first, as list_add_rcu puts
// them). On a hit: take the set's wlc minimum (members still in the service, no OVERLOAD,
// weight > 0 to start); if the set has more than one member and was last changed more than
// lblcr_expiration ago, drop its wlc maximum; use the minimum unless it is overloaded by the
// weight*2 rule, else add the service-wide wlc pick to the set. On a miss: service-wide wlc,
// new entry with that one member.
//
// The set scans are linear in the set size, which the kernel only grows one dest per
// overload event: normally one or two members. The service-wide step uses the tournament.

import type { SchedDest, Scheduler, SchedulerFactory } from '../scheduler.js';
import {
  createLocalityTable,
  DEFAULT_EXPIRATION_MS,
  type LocalityEntry,
} from './locality-table.js';
import { connOverhead, isUsable, productGreater, wlcBetter } from './overhead.js';
import { createSpareCapacity } from './spare-capacity.js';
import { createTournament } from './tournament.js';

interface LblcrEntry extends LocalityEntry {
  /** Newest first. Members removed from the service stay until erased, as in the kernel. */
  set: SchedDest[];
  lastmod: number;
}

export const createLblcr: SchedulerFactory = (options): Scheduler => {
  const wlc = createTournament(isUsable, wlcBetter);
  const spare = createSpareCapacity();
  const table = createLocalityTable<LblcrEntry>(options.now());
  let members = new Map<number, SchedDest>();
  const available = (d: SchedDest): boolean => members.get(d.id) === d;

  /** ip_vs_dest_set_min. */
  const setMin = (set: readonly SchedDest[]): SchedDest | undefined => {
    let least: SchedDest | undefined;
    for (const d of set) {
      if (d.overloaded) continue;
      if (least === undefined) {
        if (d.weight > 0 && available(d)) least = d;
      } else if (wlcBetter(d, least) && available(d)) {
        least = d;
      }
    }
    return least;
  };

  /** ip_vs_dest_set_max: no AVAILABLE or OVERLOAD test, as in the kernel. */
  const setMax = (set: readonly SchedDest[]): SchedDest | undefined => {
    let most: SchedDest | undefined;
    for (const d of set) {
      if (most === undefined) {
        if (d.weight > 0) most = d;
      } else if (
        productGreater(connOverhead(d), most.weight, connOverhead(most), d.weight) &&
        d.weight > 0
      ) {
        most = d;
      }
    }
    return most;
  };

  return {
    name: 'lblcr',
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
      if (en === undefined) {
        const dest = wlc.winner();
        if (dest !== undefined) {
          table.set(packet.virtualAddress, { set: [dest], lastmod: now, lastuse: now });
        }
        return dest;
      }
      en.lastuse = now;
      const least = setMin(en.set);
      if (en.set.length > 1 && now > en.lastmod + DEFAULT_EXPIRATION_MS) {
        const most = setMax(en.set);
        if (most !== undefined) {
          en.set.splice(en.set.indexOf(most), 1);
          en.lastmod = now;
        }
      }
      if (least !== undefined && !spare.isOverloaded(least)) return least;
      const dest = wlc.winner();
      if (dest === undefined) return undefined;
      if (!en.set.includes(dest)) {
        en.set.unshift(dest);
        en.lastmod = now;
      }
      return dest;
    },
  };
};
