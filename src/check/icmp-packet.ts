// ICMP echo messages for PING_CHECK: echo request encoding (RFC 792 p.14, RFC 4443 §4.1) and a
// classifier for whatever a socket returns, which never throws on untrusted bytes. On an IPv4
// raw socket each datagram starts with the IP header (RFC 791 §3.1, IHL in 32-bit words); ICMP
// datagram sockets and IPv6 raw sockets return the ICMP message alone.

import type { Family } from '../lib/inet.js';

/** ICMP types: RFC 792 (echo reply 0, unreachable 3, echo 8); RFC 4443 §2.1 (1, 128, 129). */
export const ICMP = {
  v4: { echoReply: 0, unreachable: 3, echoRequest: 8 },
  v6: { echoReply: 129, unreachable: 1, echoRequest: 128 },
} as const;

const HEADER = 8;
const IPV6_HEADER = 40; // RFC 8200 §3
const NEXT_HEADER_ICMPV6 = 58;
/** keepalived sends 128 bytes of data after the header (check_ping.c ICMP_BUFSIZE). */
export const ECHO_DATA_LENGTH = 128;

/** RFC 1071 Internet checksum. */
export function internetChecksum(buf: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < buf.length; i += 2) sum += ((buf[i] ?? 0) << 8) | (buf[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/**
 * An echo request. The checksum is filled for IPv4 (the kernel fills it for ICMPv6, RFC 3542
 * §3.1, and for datagram sockets, which also replace the identifier).
 */
export function encodeEchoRequest(family: Family, id: number, seq: number): Uint8Array {
  const pkt = new Uint8Array(HEADER + ECHO_DATA_LENGTH);
  const view = new DataView(pkt.buffer);
  pkt[0] = family === 'inet' ? ICMP.v4.echoRequest : ICMP.v6.echoRequest;
  view.setUint16(4, id & 0xffff);
  view.setUint16(6, seq & 0xffff);
  for (let i = HEADER; i < pkt.length; i++) pkt[i] = i & 0xff;
  if (family === 'inet') view.setUint16(2, internetChecksum(pkt));
  return pkt;
}

export type EchoVerdict =
  /** An echo reply with our sequence number (and identifier, when `checkId`). */
  | 'reply'
  /** A destination unreachable quoting our echo request. */
  | 'unreachable'
  /** Someone else's traffic, our own request looped back, or garbage: keep waiting. */
  | 'other';

export interface EchoMatch {
  readonly family: Family;
  /** True on IPv4 raw sockets: the datagram starts with the IP header. */
  readonly withIpHeader: boolean;
  readonly id: number;
  readonly seq: number;
  /** Raw sockets see every host's pings; datagram sockets get only ours, id rewritten. */
  readonly checkId: boolean;
}

function ipv4PayloadOffset(buf: Uint8Array, at: number): number | undefined {
  const b = buf[at];
  if (b === undefined || b >> 4 !== 4) return undefined;
  const off = at + (b & 0x0f) * 4;
  return off + HEADER <= buf.length ? off : undefined;
}

function echoIs(buf: Uint8Array, at: number, type: number, m: EchoMatch): boolean {
  if (at + HEADER > buf.length || buf[at] !== type) return false;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (view.getUint16(at + 6) !== (m.seq & 0xffff)) return false;
  return !m.checkId || view.getUint16(at + 4) === (m.id & 0xffff);
}

/** What one received datagram means for the echo we sent. */
export function classifyEcho(buf: Uint8Array, m: EchoMatch): EchoVerdict {
  const types = m.family === 'inet' ? ICMP.v4 : ICMP.v6;
  const at = m.withIpHeader ? ipv4PayloadOffset(buf, 0) : HEADER <= buf.length ? 0 : undefined;
  if (at === undefined) return 'other';
  if (echoIs(buf, at, types.echoReply, m)) return 'reply';
  if (buf[at] !== types.unreachable) return 'other';
  // The error quotes the offending packet: its IP header, then the first 8 bytes of our echo.
  let inner: number | undefined;
  if (m.family === 'inet') inner = ipv4PayloadOffset(buf, at + HEADER);
  else if (buf[at + HEADER + 6] === NEXT_HEADER_ICMPV6) inner = at + HEADER + IPV6_HEADER;
  return inner !== undefined && echoIs(buf, inner, types.echoRequest, m) ? 'unreachable' : 'other';
}
