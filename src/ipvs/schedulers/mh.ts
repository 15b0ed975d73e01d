// mh — Maglev hashing (ip_vs_mh.c, Linux 4.18+, ipvs.md §1 mh), bit-compatible with a 64-bit
// little-endian kernel built with the default CONFIG_IP_VS_MH_TAB_INDEX=12.
//
// Table build (every add/edit/delete): g = gcd of positive last_weights, rshift = max(0,
// fls(max/g) - 6); per dest offset = H1(addr, port) % M, skip = H2(addr, port) % (M - 1) + 1,
// turns = (lw / g) >> rshift, or 1 when that is 0 but lw != 0. Rounds over the list give each
// dest `turns` slots per round, each at the next free place of its permutation, until all M
// slots are taken. last_weight (not weight) is used, so a quiesced dest keeps its slots.
// Lookup: slot H1(client addr, port) % M, port only with mh-port (SCHED2). A dest with weight
// <= 0 or OVERLOAD is unavailable: without mh-fallback (SCHED1) that is no destination; with it
// the kernel rehashes with offsets (i + slot) % M, i = 0..M-1.
//
// Cost: a pick is one SipHash-1-3 and a table read. The fallback walk cannot be precomputed
// (each step rehashes the client key); we return at once when no slot holds an available
// dest, otherwise it takes on average M / (slots held by available dests) rehashes.

import type { SchedDest, SchedPacket, Scheduler, SchedulerFactory } from '../scheduler.js';
import { gcdOfPositive } from './gcd.js';
import { foldAddress } from './hash.js';
import { hsiphashU32, sipKey } from './siphash.js';

/** Primes by CONFIG_IP_VS_MH_TAB_INDEX 8..17; the kernel default index is 12. */
export const MH_TAB_PRIMES = [251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071];
export const MH_TAB_INDEX = 12;
export const MH_TAB_SIZE = 4093;
export const MH_TAB_BITS = MH_TAB_INDEX / 2;

// generate_hash_secret() in ip_vs_mh.c: fixed keys, so every director builds the same table.
const HASH1 = sipKey(2654435761n, 2654435761n);
const HASH2 = sipKey(2654446892n, 2654446892n);

/** The hsiphash input: offset + ntohs(port) + ntohl(addr_fold), as a u32. */
function mhHash(folded: number, port: number, key: typeof HASH1, offset: number): number {
  return hsiphashU32((offset + port + folded) >>> 0, key);
}

/** Index of the highest set bit, 1-based; fls(0) = 0 (include/asm-generic/bitops/fls.h). */
function fls(x: number): number {
  return x === 0 ? 0 : 32 - Math.clz32(x);
}

const unavailable = (d: SchedDest): boolean => d.weight <= 0 || d.overloaded;

/** The lookup table for a list, or undefined when the kernel would refuse (> M dests). */
export function buildMaglevTable(
  dests: readonly SchedDest[],
  m: number = MH_TAB_SIZE,
): (SchedDest | undefined)[] | undefined {
  if (dests.length > m) return undefined;
  const table = new Array<SchedDest | undefined>(m);
  const g = gcdOfPositive(dests.map((d) => d.lastWeight));
  if (g < 1) return table;
  const maxWeight = dests.reduce((mx, d) => Math.max(mx, d.lastWeight), 0);
  const rshift = Math.max(0, fls(Math.floor(maxWeight / g)) - MH_TAB_BITS);
  const perm = new Int32Array(dests.length);
  const skip = new Int32Array(dests.length);
  const turns = new Int32Array(dests.length);
  dests.forEach((d, i) => {
    const folded = foldAddress(d.address);
    perm[i] = mhHash(folded, d.port, HASH1, 0) % m;
    skip[i] = (mhHash(folded, d.port, HASH2, 0) % (m - 1)) + 1;
    const lw = d.lastWeight;
    turns[i] = Math.floor(lw / g) >> rshift || (lw !== 0 ? 1 : 0);
  });
  const taken = new Uint8Array(m);
  let filled = 0;
  while (filled < m) {
    for (let i = 0; i < dests.length; i++) {
      for (let t = 0; t < (turns[i] ?? 0); t++) {
        let c = perm[i] ?? 0;
        while (taken[c] === 1) {
          c += skip[i] ?? 1;
          if (c >= m) c -= m;
        }
        perm[i] = c;
        taken[c] = 1;
        table[c] = dests[i];
        if (++filled === m) return table;
      }
    }
  }
  return table;
}

export const createMh: SchedulerFactory = (options): Scheduler => {
  let table = new Array<SchedDest | undefined>(MH_TAB_SIZE);
  let anyAvailable = false;

  const fallback = (folded: number, port: number, ihash: number): SchedDest | undefined => {
    if (!anyAvailable) return undefined;
    for (let i = 0; i < MH_TAB_SIZE; i++) {
      const roffset = (i + ihash) % MH_TAB_SIZE;
      const d = table[mhHash(folded, port, HASH1, roffset) % MH_TAB_SIZE];
      if (d === undefined) return undefined;
      if (!unavailable(d)) return d;
    }
    return undefined;
  };

  return {
    name: 'mh',
    update(dests) {
      // Like ip_vs_mh_reassign, refuse more dests than slots and keep the old table.
      table = buildMaglevTable(dests) ?? table;
      anyAvailable = table.some((d) => d !== undefined && !unavailable(d));
    },
    countsChanged() {
      // mh does not look at counters.
    },
    select(packet: SchedPacket) {
      const folded = foldAddress(packet.clientAddress);
      const port = options.sched2 ? packet.clientPort : 0;
      const ihash = mhHash(folded, port, HASH1, 0) % MH_TAB_SIZE;
      const d = table[ihash];
      if (d === undefined) return undefined;
      if (!unavailable(d)) return d;
      return options.sched1 ? fallback(folded, port, ihash) : undefined;
    },
  };
};
