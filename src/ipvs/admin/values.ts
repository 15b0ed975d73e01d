// How ipvsadm 1.31 reads option values (shared/reference/ipvs.md §6.2), with the C library
// behaviour that decides what is accepted: strtol for numbers (leading blanks and a sign are
// fine, trailing text is not), atoi for IPv6 masks, inet_aton for IPv4 addresses and masks
// (so `10.1` is 10.0.0.1 and `0xff.0.0.1` is 255.0.0.1), inet_pton for IPv6, and
// parse_service's `host[:port]` / `[v6]:port` rules. Host names are never resolved here: a
// name that is not an address is refused, as if the resolver had failed. Port names go
// through an optional lookup the caller supplies (getservbyname's job in ipvsadm).

import { formatIpv6, ipv6Bytes, numberToIpv4 } from '../../lib/inet.js';
import type { Family } from '../../lib/inet.js';
import type { ServiceProtocol } from '../snapshot.js';

const SPACE = /^[ \t\n\v\f\r]/;

/** C's strtol(s, &end, 10) as far as ipvsadm cares: the value and whether all of `s` was used. */
function strtol10(s: string): { value: number; complete: boolean } | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)/.exec(s);
  if (m === null) return undefined;
  const digits = m[2] ?? '';
  const magnitude = Number(digits.length > 20 ? '9'.repeat(21) : digits);
  return { value: m[1] === '-' ? -magnitude : magnitude, complete: m[0].length === s.length };
}

/** ipvsadm's string_to_number: a whole decimal number within [min, max], or undefined. */
export function stringToNumber(s: string, min: number, max: number): number | undefined {
  const r = strtol10(s);
  if (!r?.complete) return undefined;
  return r.value >= min && r.value <= max ? r.value : undefined;
}

/** ipvsadm's parse_fwmark: 1 .. 2^32-1. */
export function parseFwmark(s: string): number | undefined {
  return stringToNumber(s, 1, 0xffffffff);
}

/** C's atoi: leading blanks, a sign, digits up to the first non-digit; 0 when none. */
export function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d*)/.exec(s);
  const digits = m?.[2] ?? '';
  if (digits === '') return 0;
  const v = Number(digits.slice(0, 12));
  return m?.[1] === '-' ? -v : v;
}

/** strtoul(s, &end, 0) over the digits at the start of `s` (hex 0x.., octal 0.., decimal). */
function strtoul0(s: string): { value: number; length: number } {
  const hex = /^0[xX]([0-9a-fA-F]+)/.exec(s);
  if (hex !== null)
    return { value: parseInt((hex[1] ?? '').slice(0, 12), 16), length: hex[0].length };
  const oct = /^0[0-7]*/.exec(s);
  if (oct !== null) return { value: parseInt(oct[0].slice(0, 16), 8), length: oct[0].length };
  const dec = /^\d+/.exec(s);
  const text = dec?.[0] ?? '';
  return { value: Number(text.slice(0, 16)), length: text.length };
}

/** glibc's inet_aton: 1 to 4 parts (a, a.b, a.b.c, a.b.c.d), as a host-order number. */
export function inetAton(s: string): number | undefined {
  const parts: number[] = [];
  let rest = s;
  for (;;) {
    if (!/^\d/.test(rest)) return undefined;
    const { value, length } = strtoul0(rest);
    if (value > 0xffffffff) return undefined;
    rest = rest.slice(length);
    if (rest.startsWith('.')) {
      if (parts.length > 2 || value > 0xff) return undefined;
      parts.push(value);
      rest = rest.slice(1);
      continue;
    }
    if (rest !== '' && !SPACE.test(rest)) return undefined;
    const max = [0xffffffff, 0xffffff, 0xffff, 0xff][parts.length] ?? 0;
    if (value > max) return undefined;
    return (parts.reduce((acc, p, i) => acc + p * 2 ** (24 - 8 * i), 0) + value) >>> 0;
  }
}

/** glibc's inet_pton(AF_INET6): canonical text, or undefined (no zone ids). */
export function inetPton6(s: string): string | undefined {
  if (s.includes('%')) return undefined;
  const bytes = ipv6Bytes(s);
  return bytes === undefined ? undefined : formatIpv6(bytes);
}

/** Maps a port name to its number for a protocol (getservbyname); absent = names refused. */
export type ServiceLookup = (
  name: string,
  protocol: ServiceProtocol | undefined,
) => number | undefined;

export interface ParsedHostPort {
  readonly family: Family;
  /** Canonical text. */
  readonly address: string;
  /** Present when the text had a port part. */
  readonly port?: number;
}

/**
 * ipvsadm's parse_service for `-t/-u/--sctp-service/-r`: `host`, `host:port`, a bare IPv6
 * address, or `[v6]:port` (brackets require the port). All-digit text is refused. Returns
 * undefined where ipvsadm says "illegal … address[:port] specified".
 */
export function parseHostPort(
  text: string,
  protocol: ServiceProtocol | undefined,
  lookup: ServiceLookup | undefined,
): ParsedHostPort | undefined {
  if (/^\d*$/.test(text)) return undefined;
  let host = text;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0 || text.charAt(close + 1) !== ':') return undefined;
    host = text.slice(1, close);
    portText = text.slice(close + 2);
  }
  let family: Family;
  let address: string;
  const v6 = inetPton6(host);
  if (v6 !== undefined) {
    family = 'inet6';
    address = v6;
  } else {
    // ipvsadm looks for the port colon again here, inside what the brackets held.
    const colon = host.lastIndexOf(':');
    portText = colon < 0 ? undefined : host.slice(colon + 1);
    if (colon >= 0) host = host.slice(0, colon);
    const v4 = inetAton(host);
    if (v4 === undefined) return undefined;
    family = 'inet';
    address = numberToIpv4(v4);
  }
  if (portText === undefined) return { family, address };
  const port = stringToNumber(portText, 0, 65535) ?? lookup?.(portText, protocol);
  if (port === undefined || !Number.isInteger(port) || port < 0 || port > 65535) return undefined;
  return { family, address, port };
}

/** An IPv4 multicast group (224.0.0.0/4) in strict dotted form, as inet_pton reads it. */
export function ipv4Multicast(s: string): boolean {
  if (!/^(\d{1,3})(\.\d{1,3}){3}$/.test(s)) return false;
  const octets = s.split('.').map(Number);
  if (octets.some((o) => o > 255)) return false;
  return ((octets[0] ?? 0) & 0xf0) === 0xe0;
}

/** An IPv6 multicast group (ff00::/8). */
export function ipv6Multicast(s: string): boolean {
  const bytes = inetPton6(s) === undefined ? undefined : ipv6Bytes(s);
  return bytes?.[0] === 0xff;
}
