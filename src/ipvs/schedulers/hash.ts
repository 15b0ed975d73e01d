// The kernel's small integer hashes for dh, sh, lblc and lblcr (include/linux/hash.h and the
// per-scheduler *_hashkey helpers, shared/reference/ipvs.md §1). Addresses are folded the way
// the kernel folds them: IPv4 in host order, IPv6 as the XOR of its four 32-bit words, so a
// tandem director hashes flows exactly like a kernel director of version ≥ 4.7.

import { ipv6Bytes } from '../../lib/inet.js';

/** GOLDEN_RATIO_32 from include/linux/hash.h (kernels ≥ 4.7). */
export const GOLDEN_RATIO_32 = 0x61c88647;

/** hash_32(v, bits): multiply mod 2^32, keep the top `bits` bits. */
export function hash32(value: number, bits: number): number {
  return Math.imul(value, GOLDEN_RATIO_32) >>> (32 - bits);
}

/**
 * ntohl(addr_fold): the address as the kernel feeds it to its hashes. A malformed address
 * folds to 0 rather than throwing, because select() must always answer.
 */
export function foldAddress(text: string): number {
  if (!text.includes(':')) return parseIpv4(text);
  const bytes = ipv6Bytes(text);
  if (bytes === undefined) return 0;
  let folded = 0;
  for (let i = 0; i < 16; i += 4) {
    folded ^= ((bytes[i] ?? 0) << 24) | ((bytes[i + 1] ?? 0) << 16) | ((bytes[i + 2] ?? 0) << 8);
    folded ^= bytes[i + 3] ?? 0;
  }
  return folded >>> 0;
}

// Hand-rolled because select() runs per connection and split/map allocates.
function parseIpv4(text: string): number {
  let value = 0;
  let octet = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      value = (value << 8) | octet;
      octet = 0;
    } else {
      octet = octet * 10 + (c - 48);
    }
  }
  return ((value << 8) | octet) >>> 0;
}
