// rtattr construction and reading, and the address and family conversions rtnetlink messages
// carry (linux/rtnetlink.h RTA_* layout: u16 length, u16 type, value padded to 4 bytes).
// Host-endian like the rest of netlink; readers return undefined rather than throwing.

import { endianness } from 'node:os';
import { formatIpv6, ipv6Bytes, parseIp, type Family } from '../lib/inet.js';
import type { RtAttr } from './rtnl-codec.js';

const LE = endianness() === 'LE';
const view = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);

// linux/socket.h address families.
export const AF_INET = 2;
export const AF_INET6 = 10;

export function attrU32(type: number, n: number): RtAttr {
  const value = new Uint8Array(4);
  view(value).setUint32(0, n >>> 0, LE);
  return { type, value };
}

/** A NUL-terminated string attribute (IFA_LABEL, IFLA_IFNAME). */
export function attrString(type: number, s: string): RtAttr {
  const text = new TextEncoder().encode(s);
  const value = new Uint8Array(text.length + 1);
  value.set(text);
  return { type, value };
}

export function familyNumber(family: Family): number {
  return family === 'inet' ? AF_INET : AF_INET6;
}

/** Address bytes (4 or 16) of text in the given family; undefined if it is not one. */
export function addressBytes(family: Family, text: string): Uint8Array | undefined {
  const ip = parseIp(text);
  if (ip?.family !== family) return undefined;
  if (family === 'inet6') return ipv6Bytes(ip.text);
  return Uint8Array.from(ip.text.split('.').map(Number));
}

/** Text of 4 or 16 address bytes; undefined for any other length. */
export function addressText(bytes: Uint8Array): string | undefined {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  if (bytes.length === 16) return formatIpv6(bytes);
  return undefined;
}

export function findAttr(attrs: readonly RtAttr[], type: number): Uint8Array | undefined {
  return attrs.find((a) => a.type === type)?.value;
}

export function attrU32Of(attrs: readonly RtAttr[], type: number): number | undefined {
  const v = findAttr(attrs, type);
  return v === undefined ? undefined : u32At(v, 0);
}

/** The host-endian u32 at `offset`, if the bytes reach that far. */
export function u32At(bytes: Uint8Array, offset: number): number | undefined {
  return bytes.length >= offset + 4 ? view(bytes).getUint32(offset, LE) : undefined;
}

/** A string attribute without its NUL terminator (and anything after it). */
export function attrString0(attrs: readonly RtAttr[], type: number): string | undefined {
  const v = findAttr(attrs, type);
  if (v === undefined) return undefined;
  const nul = v.indexOf(0);
  return new TextDecoder().decode(nul < 0 ? v : v.subarray(0, nul));
}
