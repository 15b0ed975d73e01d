// The lblc/lblcr cache (ip_vs_lblc.c, ip_vs_lblcr.c, ipvs.md §1 lblc): destination address ->
// entry, 1024 hash buckets keyed by hash_32(ntohl(daddr fold), 10), and the kernel's garbage
// collector. The kernel runs that collector from a 60 s timer; we have no timers here, so
// select() first runs every tick that fell due (collect(now)), each with its own tick time.
// Between ticks nothing touches lastuse, so the late run deletes exactly what the timer would
// have, and no pick can observe the difference.
//
// Each tick: every 30th (tbl->counter) sweeps all entries idle >= expiration (24 h by
// default); otherwise, only when entries > max_size (16 * 1024), walks buckets from the rover
// deleting entries idle >= 6 min until `goal = min((entries - max)*4/3, max/2)` is met,
// checked after each whole bucket. The counter only advances on quiet ticks, as in the kernel.

import { foldAddress, hash32 } from './hash.js';

export const LOCALITY_TAB_BITS = 10;
export const LOCALITY_TAB_SIZE = 1 << LOCALITY_TAB_BITS;
export const LOCALITY_MAX_SIZE = LOCALITY_TAB_SIZE * 16;
export const CHECK_EXPIRE_INTERVAL_MS = 60_000;
export const ENTRY_TIMEOUT_MS = 6 * 60_000;
export const DEFAULT_EXPIRATION_MS = 24 * 60 * 60_000;
export const COUNT_FOR_FULL_EXPIRATION = 30;

export interface LocalityEntry {
  /** Last time the entry was looked up (the kernel's lastuse). */
  lastuse: number;
}

export interface LocalityTable<E extends LocalityEntry> {
  get(address: string): E | undefined;
  set(address: string, entry: E): void;
  delete(address: string): void;
  readonly size: number;
  /** Run the collector ticks due by `now`. */
  collect(now: number): void;
}

export function createLocalityTable<E extends LocalityEntry>(
  start: number,
  expiration: number = DEFAULT_EXPIRATION_MS,
): LocalityTable<E> {
  const entries = new Map<string, E>();
  const buckets: Set<string>[] = Array.from({ length: LOCALITY_TAB_SIZE }, () => new Set());
  let nextTick = start + CHECK_EXPIRE_INTERVAL_MS;
  let counter = 1;
  let rover = 0;

  const bucketOf = (address: string): Set<string> | undefined =>
    buckets[hash32(foldAddress(address), LOCALITY_TAB_BITS)];

  const remove = (address: string): void => {
    if (entries.delete(address)) bucketOf(address)?.delete(address);
  };

  /** Sweep buckets after the rover; stop after a bucket once `goal` deletions are done. */
  const sweep = (now: number, idle: number, goal: number): void => {
    let j = rover;
    for (let i = 0; i < LOCALITY_TAB_SIZE; i++) {
      j = (j + 1) & (LOCALITY_TAB_SIZE - 1);
      const bucket = buckets[j];
      if (bucket === undefined) continue;
      for (const address of bucket) {
        const en = entries.get(address);
        if (en !== undefined && now < en.lastuse + idle) continue;
        bucket.delete(address);
        entries.delete(address);
        goal--;
      }
      if (goal <= 0) break;
    }
    rover = j;
  };

  return {
    get: (address) => entries.get(address),
    set(address, entry) {
      if (!entries.has(address)) bucketOf(address)?.add(address);
      entries.set(address, entry);
    },
    delete: remove,
    get size() {
      return entries.size;
    },
    collect(now) {
      while (nextTick <= now) {
        if (counter % COUNT_FOR_FULL_EXPIRATION === 0) {
          sweep(nextTick, expiration, Infinity);
          counter = 1;
        } else if (entries.size <= LOCALITY_MAX_SIZE) {
          // Quiet ticks only count; jump over the run of them in one step.
          const due = Math.floor((now - nextTick) / CHECK_EXPIRE_INTERVAL_MS) + 1;
          const quiet = Math.min(due, COUNT_FOR_FULL_EXPIRATION - (counter % 30));
          counter += quiet;
          nextTick += quiet * CHECK_EXPIRE_INTERVAL_MS;
          continue;
        } else {
          const over = entries.size - LOCALITY_MAX_SIZE;
          sweep(
            nextTick,
            ENTRY_TIMEOUT_MS,
            Math.min(Math.floor((over * 4) / 3), LOCALITY_MAX_SIZE / 2),
          );
        }
        nextTick += CHECK_EXPIRE_INTERVAL_MS;
      }
    },
  };
}
