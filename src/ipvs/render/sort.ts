// The display order of `ipvsadm -L` and `-S` (shared/reference/ipvs.md §6.3): services by
// fwmark, address family, protocol number, address (host-order 32-bit words), port;
// destinations by address, port. The kernel's list order is the scheduling order; this is only
// a view of it, and `--nosort` skips it.
//
// libipvs compares by subtracting unsigned values into a C `int`, so keys more than 2^31 apart
// compare "backwards" (fwmark 0xC0000000 sorts before address services, 200.0.0.1 before
// 10.0.0.1). We keep that quirk, and because such a comparator is not transitive the result
// also depends on the sorting algorithm: we use glibc's qsort algorithm (a top-down merge sort
// that halves at n/2 and prefers the left run on ties), so even those cases come out as on a
// Debian director.

import { addressWords } from '../service-key.js';
import type { DestSnapshot, ServiceSnapshot } from '../snapshot.js';

const AF_INET = 2;
const AF_INET6 = 10;
const PROTOCOL_NUMBER = { TCP: 6, UDP: 17, SCTP: 132 } as const;

/** C: `int r = (unsigned)a - (unsigned)b;` */
function diff32(a: number, b: number): number {
  return (a - b) | 0;
}

function compareWords(
  first: readonly number[],
  second: readonly number[],
  firstIsIpv6: boolean,
): number {
  if (!firstIsIpv6) return diff32(first[0] ?? 0, second[0] ?? 0);
  for (let i = 0; i < 4; i++) {
    const r = diff32(first[i] ?? 0, second[i] ?? 0);
    if (r !== 0) return r;
  }
  return 0;
}

/** libipvs's ipvs_cmp_services. */
export function compareServices(a: ServiceSnapshot, b: ServiceSnapshot): number {
  let r = diff32(a.fwmark >>> 0, b.fwmark >>> 0);
  if (r !== 0) return r;
  r = (a.family === 'inet6' ? AF_INET6 : AF_INET) - (b.family === 'inet6' ? AF_INET6 : AF_INET);
  if (r !== 0) return r;
  const protoA = a.fwmark === 0 && a.protocol !== undefined ? PROTOCOL_NUMBER[a.protocol] : 0;
  const protoB = b.fwmark === 0 && b.protocol !== undefined ? PROTOCOL_NUMBER[b.protocol] : 0;
  r = protoA - protoB;
  if (r !== 0) return r;
  const wordsA = a.fwmark === 0 ? addressWords(a.address ?? '') : [0, 0, 0, 0];
  const wordsB = b.fwmark === 0 ? addressWords(b.address ?? '') : [0, 0, 0, 0];
  r = compareWords(wordsA, wordsB, a.family === 'inet6');
  if (r !== 0) return r;
  return (a.fwmark === 0 ? a.port : 0) - (b.fwmark === 0 ? b.port : 0);
}

/** libipvs's ipvs_cmp_dests (the first destination's family decides how many words count). */
export function compareDests(a: DestSnapshot, b: DestSnapshot): number {
  const r = compareWords(addressWords(a.address), addressWords(b.address), a.family === 'inet6');
  if (r !== 0) return r;
  return a.port - b.port;
}

/** glibc qsort's merge sort (msort_with_tmp), so non-transitive comparisons match too. */
export function glibcSort<T>(items: readonly T[], compare: (a: T, b: T) => number): T[] {
  if (items.length <= 1) return items.slice();
  const half = Math.floor(items.length / 2);
  const lo = glibcSort(items.slice(0, half), compare);
  const hi = glibcSort(items.slice(half), compare);
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < lo.length && j < hi.length) {
    const x = lo[i] as T;
    const y = hi[j] as T;
    if (compare(x, y) <= 0) {
      out.push(x);
      i++;
    } else {
      out.push(y);
      j++;
    }
  }
  while (i < lo.length) out.push(lo[i++] as T);
  while (j < hi.length) out.push(hi[j++] as T);
  return out;
}

export function sortServices(services: readonly ServiceSnapshot[]): ServiceSnapshot[] {
  return glibcSort(services, compareServices);
}

export function sortDests(dests: readonly DestSnapshot[]): DestSnapshot[] {
  return glibcSort(dests, compareDests);
}
