// IPv4 / IPv6 address and prefix parsing. Pure functions; never throw on user input (they
// return undefined). Addresses are kept in their canonical text form (lower-case, compressed
// IPv6) so that they can be compared as strings and printed back as operators wrote them.

import { isIPv4, isIPv6 } from 'node:net';

export type Family = 'inet' | 'inet6';

export interface IpAddress {
  readonly family: Family;
  /** Canonical text: dotted quad, or RFC 5952 compressed lower-case IPv6. */
  readonly text: string;
}

export interface IpPrefix extends IpAddress {
  readonly prefixLength: number;
}

export function parseIp(text: string): IpAddress | undefined {
  if (isIPv4(text)) {
    // node accepts only canonical dotted quads (no leading zeros), so the text is canonical.
    return { family: 'inet', text };
  }
  if (isIPv6(text)) {
    const bytes = ipv6Bytes(text);
    return bytes === undefined ? undefined : { family: 'inet6', text: formatIpv6(bytes) };
  }
  return undefined;
}

/** `ADDR` or `ADDR/LEN`; without a length the prefix is a host prefix (/32 or /128). */
export function parsePrefix(text: string): IpPrefix | undefined {
  const slash = text.indexOf('/');
  const ip = parseIp(slash < 0 ? text : text.slice(0, slash));
  if (ip === undefined) return undefined;
  const max = ip.family === 'inet' ? 32 : 128;
  if (slash < 0) return { ...ip, prefixLength: max };
  const lenText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText)) return undefined;
  const prefixLength = Number(lenText);
  return prefixLength <= max ? { ...ip, prefixLength } : undefined;
}

/** A dotted-quad netmask (255.255.255.0) to its prefix length, if it is contiguous. */
export function netmaskToPrefix(text: string): number | undefined {
  if (!isIPv4(text)) return undefined;
  const n = ipv4ToNumber(text);
  const len = 32 - Math.log2((~n >>> 0) + 1);
  return Number.isInteger(len) ? len : undefined;
}

export function ipv4ToNumber(text: string): number {
  return text.split('.').reduce((acc, part) => ((acc << 8) | Number(part)) >>> 0, 0);
}

export function numberToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** 16 bytes of an IPv6 address in any textual form node accepts (incl. embedded IPv4). */
export function ipv6Bytes(text: string): Uint8Array | undefined {
  if (!isIPv6(text)) return undefined;
  let s = text.toLowerCase();
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  const words: number[] = [];
  const lastColon = s.lastIndexOf(':');
  const tail = s.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = ipv4ToNumber(tail);
    s = `${s.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const [head = '', rest] = s.split('::');
  const headWords = head === '' ? [] : head.split(':');
  const restWords = rest === undefined || rest === '' ? [] : rest.split(':');
  const fill = rest === undefined ? 0 : 8 - headWords.length - restWords.length;
  for (const w of headWords) words.push(parseInt(w, 16));
  for (let i = 0; i < fill; i++) words.push(0);
  for (const w of restWords) words.push(parseInt(w, 16));
  if (words.length !== 8) return undefined;
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[i * 2] = w >>> 8;
    out[i * 2 + 1] = w & 255;
  });
  return out;
}

/**
 * IPv6 text as glibc's inet_ntop writes it (so as keepalived and ipvsadm print it): lower-case
 * hex, the first longest run of two or more zero words as `::`, and the IPv4-compatible
 * (`::a.b.c.d`) and IPv4-mapped (`::ffff:a.b.c.d`) forms with a dotted tail.
 */
export function formatIpv6(bytes: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  let bestBase = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i >= 2 && j - i > bestLen) {
      bestBase = i;
      bestLen = j - i;
    }
    i = j;
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      out += `${bytes[12] ?? 0}.${bytes[13] ?? 0}.${bytes[14] ?? 0}.${bytes[15] ?? 0}`;
      return out;
    }
    out += (words[i] ?? 0).toString(16);
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) out += ':';
  return out;
}

/** `[addr]` brackets for IPv6 where a port follows, as keepalived and ipvsadm print it. */
export function bracketed(ip: string): string {
  return ip.includes(':') ? `[${ip}]` : ip;
}
