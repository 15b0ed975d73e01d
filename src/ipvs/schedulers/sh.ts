// sh — source hashing (ip_vs_sh.c, ipvs.md §1 sh). A 256-bucket table filled by cycling the
// list, each dest taking `weight` consecutive buckets (at least one), rebuilt on every change.
// Key: hash_32(port + ntohl(saddr), 8), where port is the client's source port only with
// sh-port (SCHED2). A dest with weight <= 0 or OVERLOAD is unavailable: without sh-fallback
// (SCHED1) that means no destination; with it the kernel retries with offsets i + ihash for
// i = 0..255, which lands on buckets 2*ihash, 2*ihash + 1, ... (mod 256). Availability only
// changes in update(), so update() precomputes where that walk ends for every start bucket.

import type { SchedDest, SchedPacket, Scheduler, SchedulerFactory } from '../scheduler.js';
import { foldAddress, hash32 } from './hash.js';

export const SH_TAB_BITS = 8;
export const SH_TAB_SIZE = 1 << SH_TAB_BITS;

/**
 * The 256-bucket table ip_vs_sh_reassign builds: the list cycled in order, each dest taking
 * `weight` consecutive buckets (at least one). The nft data plane loads the same table.
 */
export function shBuckets(dests: readonly SchedDest[]): (SchedDest | undefined)[] {
  const buckets = new Array<SchedDest | undefined>(SH_TAB_SIZE);
  let p = 0;
  let taken = 0;
  for (let i = 0; i < SH_TAB_SIZE && dests.length > 0; i++) {
    const d = dests[p];
    if (d === undefined) break;
    buckets[i] = d;
    if (++taken >= d.weight) {
      p = (p + 1) % dests.length;
      taken = 0;
    }
  }
  return buckets;
}

const usable = (d: SchedDest | undefined): boolean =>
  d !== undefined && d.weight > 0 && !d.overloaded;

/** fallbackFrom[b]: first bucket at or after b (cyclically) holding a usable dest, or -1. */
export function shFallbackFrom(
  buckets: readonly (SchedDest | undefined)[],
): Int16Array<ArrayBuffer> {
  const from = new Int16Array(SH_TAB_SIZE).fill(-1);
  let next = -1;
  // Two laps so every bucket sees the first usable one after it, wrapping.
  for (let i = 2 * SH_TAB_SIZE - 1; i >= 0; i--) {
    if (usable(buckets[i % SH_TAB_SIZE])) next = i % SH_TAB_SIZE;
    if (i < SH_TAB_SIZE) from[i] = next;
  }
  return from;
}

/**
 * The dest a client hashing to bucket `h` gets: the bucket's own when usable, otherwise with
 * sh-fallback (SCHED1) the kernel's walk of offsets i + h, which visits 2h, 2h + 1, ...
 */
export function shPick(
  buckets: readonly (SchedDest | undefined)[],
  fallbackFrom: Int16Array,
  h: number,
  fallback: boolean,
): SchedDest | undefined {
  const d = buckets[h];
  if (d === undefined) return undefined;
  if (usable(d)) return d;
  if (!fallback) return undefined;
  const b = fallbackFrom[(2 * h) % SH_TAB_SIZE] ?? -1;
  return b < 0 ? undefined : buckets[b];
}

export const createSh: SchedulerFactory = (options): Scheduler => {
  let buckets: (SchedDest | undefined)[] = new Array<SchedDest | undefined>(SH_TAB_SIZE);
  let fallbackFrom = new Int16Array(SH_TAB_SIZE).fill(-1);

  const key = (packet: SchedPacket): number => {
    const port = options.sched2 ? packet.clientPort : 0;
    return hash32((port + foldAddress(packet.clientAddress)) >>> 0, SH_TAB_BITS);
  };

  return {
    name: 'sh',
    update(dests) {
      buckets = shBuckets(dests);
      fallbackFrom = shFallbackFrom(buckets);
    },
    countsChanged() {
      // sh does not look at counters.
    },
    select(packet) {
      return shPick(buckets, fallbackFrom, key(packet), options.sched1);
    },
  };
};
