// Connection overheads and the kernel's cross-multiplied comparisons (shared/reference/ipvs.md
// §0, §1 lc/wlc/sed/nq). The kernel keeps overheads in a C int and compares
// `(__s64)loh * w2 > (__s64)doh * w1`; we reproduce both exactly:
//  - overheads are computed with 32-bit wrap-around like the kernel's int (only matters past
//    2^23 active connections on one destination);
//  - products of an int overhead and an int weight reach 2^62, beyond the 2^53 where doubles
//    stop being exact, so productGreater falls back to BigInt in that (rare) range. Below it
//    the double comparison is exact and costs nothing extra.

import type { SchedDest } from '../scheduler.js';

/** ip_vs_dest_conn_overhead: (activeconns << 8) + inactconns, as a C int. */
export function connOverhead(d: SchedDest): number {
  return ((d.activeConns << 8) + d.inactConns) | 0;
}

/** sed/nq overhead: activeconns + 1, as a C int. */
export function queueOverhead(d: SchedDest): number {
  return (d.activeConns + 1) | 0;
}

/** Exact `a * b > c * d` for integers of up to 32 bits each (the kernel's 64-bit products). */
export function productGreater(a: number, b: number, c: number, d: number): boolean {
  const left = a * b;
  const right = c * d;
  if (Math.abs(left) <= Number.MAX_SAFE_INTEGER && Math.abs(right) <= Number.MAX_SAFE_INTEGER) {
    return left > right;
  }
  return BigInt(a) * BigInt(b) > BigInt(c) * BigInt(d);
}

/** wlc/lblc/lblcr: does `d` beat the current `least` (`loh * w(d) > doh * w(least)`)? */
export function wlcBetter(d: SchedDest, least: SchedDest): boolean {
  return productGreater(connOverhead(least), d.weight, connOverhead(d), least.weight);
}

/** sed (and nq's second rule): the same comparison with the queue overhead. */
export function sedBetter(d: SchedDest, least: SchedDest): boolean {
  return productGreater(queueOverhead(least), d.weight, queueOverhead(d), least.weight);
}

/** Eligible for a fresh pick by every load-aware scheduler: weight > 0 and not OVERLOAD. */
export function isUsable(d: SchedDest): boolean {
  return d.weight > 0 && !d.overloaded;
}
