// dh — destination hashing (ip_vs_dh.c, ipvs.md §1 dh). A 256-bucket table filled by cycling
// through the list in order, one bucket per dest whatever its weight; the key is
// hash_32(ntohl(daddr), 8) of the packet's destination (VIP) address. An unusable bucket dest
// (weight <= 0 or OVERLOAD) means no destination: dh has no fallback. The kernel rebuilds on
// add/delete only; rebuilding on every update() gives the same table, since it ignores weights.

import type { SchedDest, Scheduler, SchedulerFactory } from '../scheduler.js';
import { foldAddress, hash32 } from './hash.js';

export const DH_TAB_BITS = 8;
export const DH_TAB_SIZE = 1 << DH_TAB_BITS;

/** ip_vs_dh_reassign's table: one bucket per dest, cycling the list (the nft plane loads it). */
export function dhBuckets(dests: readonly SchedDest[]): (SchedDest | undefined)[] {
  const buckets = new Array<SchedDest | undefined>(DH_TAB_SIZE);
  if (dests.length === 0) return buckets;
  for (let i = 0; i < DH_TAB_SIZE; i++) buckets[i] = dests[i % dests.length];
  return buckets;
}

export const createDh: SchedulerFactory = (): Scheduler => {
  let buckets: (SchedDest | undefined)[] = new Array<SchedDest | undefined>(DH_TAB_SIZE);
  return {
    name: 'dh',
    update(dests) {
      buckets = dhBuckets(dests);
    },
    countsChanged() {
      // dh does not look at counters.
    },
    select(packet) {
      const d = buckets[hash32(foldAddress(packet.virtualAddress), DH_TAB_BITS)];
      return d === undefined || d.weight <= 0 || d.overloaded ? undefined : d;
    },
  };
};
