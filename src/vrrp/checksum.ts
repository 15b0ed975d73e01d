// The Internet checksum (RFC 1071) as VRRP uses it: v2 sums the message alone (RFC 3768 §5.3.8);
// v3 adds a pseudo-header (RFC 5798 §5.2.8): IPv4's (RFC 768 layout, protocol 112) or IPv6's
// (RFC 2460 §8.1). Sums are kept unfolded in a plain number so the pieces (pseudo-header, message)
// can be added before one final fold; 2^53 leaves room for any IP datagram.

/** One's-complement sum of `bytes[start, end)` as 16-bit big-endian words, plus `initial`. */
export function onesSum(bytes: Uint8Array, start = 0, end = bytes.length, initial = 0): number {
  let sum = initial;
  let i = start;
  for (; i + 1 < end; i += 2) sum += ((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0);
  // RFC 1071 §4.1: an odd trailing byte is padded with a zero byte on the right.
  if (i < end) sum += (bytes[i] ?? 0) << 8;
  return sum;
}

/** Folds the carries back in and complements: the value to write into a checksum field. */
export function foldChecksum(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return ~s & 0xffff;
}

/** RFC 1071 checksum of a byte range (the v2 VRRP checksum when given the whole message). */
export function internetChecksum(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return foldChecksum(onesSum(bytes, start, end));
}

/** IP protocol / IPv6 next header of VRRP (RFC 5798 §5.1.1.3, §5.1.2.3). */
const VRRP_PROTOCOL = 112;

/**
 * Unfolded sum of the pseudo-header for a v3 message of `length` bytes. IPv4 (4-byte addresses):
 * src, dst, zero, protocol 112, 16-bit length. IPv6 (16-byte addresses, RFC 2460 §8.1): src, dst,
 * 32-bit upper-layer length, three zero bytes, next header 112.
 */
export function pseudoHeaderSum(src: Uint8Array, dst: Uint8Array, length: number): number {
  let sum = onesSum(src) + onesSum(dst);
  if (src.length === 16) {
    sum += Math.floor(length / 0x10000) + (length & 0xffff); // 32-bit upper-layer length
    sum += VRRP_PROTOCOL; // zero(3) + next header: the last word is 0x0070
  } else {
    sum += VRRP_PROTOCOL; // zero(1) + protocol
    sum += length & 0xffff;
  }
  return sum;
}

/**
 * RFC 1624 eqn. 3, HC' = ~(~HC + ~m + m'): the checksum after one 16-bit word of the summed data
 * changes from `oldWord` to `newWord`. keepalived patches a prepared advert this way when only
 * the priority (the word at offset 2 with the address count) changes.
 */
export function updateChecksum(checksum: number, oldWord: number, newWord: number): number {
  const sum = (~checksum & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff);
  return foldChecksum(sum);
}
