// Small printf stand-ins for the ipvsadm renderers (shared/reference/ipvs.md §6.4): field
// padding, ipvsadm's "largenum" K/M/G/T abbreviation, addresses as glibc's inet_ntop prints
// them, and the `mm:ss` expiry column. Kept apart so each renderer reads like its printf spec.

import { ipv6Bytes, formatIpv6 } from '../../lib/inet.js';

/** `%-Ns` / `%-Nu` / `%-Nd`: left-justified, padded with spaces, never truncated. */
export function left(value: string | number, width: number): string {
  return String(value).padEnd(width, ' ');
}

/** `%Ns` / `%Nllu`: right-justified. */
export function right(value: string | number, width: number): string {
  return String(value).padStart(width, ' ');
}

/** A counter as C's unsigned printf sees it: whole, never negative. */
function unsigned(n: number): bigint {
  return n > 0 ? BigInt(Math.trunc(n)) : 0n;
}

/**
 * ipvsadm's print_largenum: nine columns (the leading space separates fields). Below 10^8 the
 * number itself; then thousands with K, millions with M (below 10^11), billions with G (below
 * 10^14), else trillions with T. With --exact the whole number, in at least nine columns.
 */
export function largeNumber(n: number, exact: boolean): string {
  const v = unsigned(n);
  if (exact) {
    const text = v.toString();
    return right(text, text.length <= 8 ? 9 : text.length + 1);
  }
  if (v < 100_000_000n) return right(v.toString(), 9);
  if (v < 1_000_000_000n) return `${right((v / 1_000n).toString(), 8)}K`;
  if (v < 100_000_000_000n) return `${right((v / 1_000_000n).toString(), 8)}M`;
  if (v < 100_000_000_000_000n) return `${right((v / 1_000_000_000n).toString(), 8)}G`;
  return `${right((v / 1_000_000_000_000n).toString(), 8)}T`;
}

/** `%u` of a counter. */
export function uint(n: number): string {
  return unsigned(n).toString();
}

/**
 * IPv6 text exactly as glibc's inet_ntop writes it: lower-case hex, the first longest run of
 * two or more zero words shown as `::`, and the IPv4-compatible (`::a.b.c.d`) and IPv4-mapped
 * (`::ffff:a.b.c.d`) forms printed with a dotted tail. IPv4 text is returned unchanged.
 */
export function ntop(address: string): string {
  if (!address.includes(':')) return address;
  const bytes = ipv6Bytes(address);
  return bytes === undefined ? address : formatIpv6(bytes);
}

/** `addr:port` in numeric form: IPv6 in brackets (ipvsadm's addrport_to_anyname with -n). */
export function addrPort(address: string, port: number): string {
  return address.includes(':') ? `[${ntop(address)}]:${port}` : `${address}:${port}`;
}

/** The `-c` expire column: `%02d:%02d` of whole minutes and seconds left. */
export function expireText(expiresMs: number): string {
  const total = expiresMs > 0 ? Math.floor(expiresMs / 1000) : 0;
  const mm = Math.floor(total / 60);
  const ss = total % 60;
  return `${String(mm).padStart(2, '0')}:${String(ss).padStart(2, '0')}`;
}
