// ICMP sockets for PING_CHECK, which Node cannot open. First choice is the unprivileged ICMP
// datagram socket (socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP), Linux ≥ 3.0, allowed for the
// groups in net.ipv4.ping_group_range; icmp(7)): the kernel picks the echo identifier, fills the
// checksum and delivers only our replies. Otherwise a raw socket (needs CAP_NET_RAW; raw(7)),
// which sees every ICMP packet and, for IPv4, the IP header too. Sockets are non-blocking and
// read with MSG_DONTWAIT, so no call here ever blocks the event loop; koffi is loaded lazily and
// failures are values, never exceptions (as in socket.ts).

import {
  AF_INET,
  AF_INET6,
  IPPROTO_ICMPV6,
  MSG_DONTWAIT,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_RAW,
  errnoName,
  loadLibc,
} from './libc.js';
import type { Family } from '../lib/inet.js';
import { sockaddr } from './socket.js';

// Linux ABI constants (include/uapi/linux/{in,in6}.h, include/linux/socket.h for MSG_DONTWAIT).
const IPPROTO_ICMP = 1;

export type IcmpSocketKind = 'dgram' | 'raw';

export interface IcmpSocket {
  readonly fd: number;
  readonly family: Family;
  readonly kind: IcmpSocketKind;
}

export type IcmpOpenResult =
  | { readonly ok: true; readonly socket: IcmpSocket }
  | { readonly ok: false; readonly code: string; readonly syscall: string };

export type IcmpRecvResult =
  /** `from`: the sender's address bytes (4 for IPv4, 16 for IPv6). */
  | { readonly ok: true; readonly length: number; readonly from: Uint8Array }
  | { readonly ok: false; readonly code: string };

const load = loadLibc;

/**
 * An ICMP (ICMPv6) socket: datagram when ping_group_range allows it, raw otherwise, bound to
 * `bindto` when given. 'ENOSYS' from syscall 'koffi' means native calls are unavailable.
 */
export function openIcmpSocket(family: Family, bindto?: string): IcmpOpenResult {
  const c = load();
  if (c === null) return { ok: false, code: 'ENOSYS', syscall: 'koffi' };
  const domain = family === 'inet' ? AF_INET : AF_INET6;
  const proto = family === 'inet' ? IPPROTO_ICMP : IPPROTO_ICMPV6;
  let kind: IcmpSocketKind = 'dgram';
  let fd = c.socket(domain, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
  if (fd < 0) {
    kind = 'raw';
    fd = c.socket(domain, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
  }
  if (fd < 0) return { ok: false, code: errnoName(c), syscall: 'socket' };
  if (bindto !== undefined) {
    const addr = sockaddr(family, bindto, 0);
    if (addr === undefined || c.bind(fd, addr, addr.length) !== 0) {
      const code = addr === undefined ? 'EINVAL' : errnoName(c);
      c.close(fd);
      return { ok: false, code, syscall: 'bind' };
    }
  }
  return { ok: true, socket: { fd, family, kind } };
}

/** sendto(2) of one ICMP message; undefined on success, else the errno name. */
export function icmpSend(
  sock: IcmpSocket,
  packet: Uint8Array,
  address: string,
): string | undefined {
  const c = load();
  if (c === null) return 'ENOSYS';
  const addr = sockaddr(sock.family, address, 0);
  if (addr === undefined) return 'EINVAL';
  const n = c.sendto(sock.fd, packet, packet.length, 0, addr, addr.length);
  return n === packet.length ? undefined : n < 0 ? errnoName(c) : 'EMSGSIZE';
}

/** One non-blocking recvfrom(2) into `buf`; { ok: false, code: 'EAGAIN' } when nothing waits. */
export function icmpReceive(sock: IcmpSocket, buf: Uint8Array): IcmpRecvResult {
  const c = load();
  if (c === null) return { ok: false, code: 'ENOSYS' };
  const from = new Uint8Array(28);
  const fromLen = new Uint32Array([from.length]);
  const n = c.recvfrom(sock.fd, buf, buf.length, MSG_DONTWAIT, from, fromLen);
  if (n < 0) {
    const code = errnoName(c);
    return { ok: false, code: code === 'EWOULDBLOCK' ? 'EAGAIN' : code };
  }
  const v4 = new DataView(from.buffer).getUint16(0, true) === AF_INET;
  return { ok: true, length: n, from: v4 ? from.slice(4, 8) : from.slice(8, 24) };
}

export function closeIcmpSocket(sock: IcmpSocket): void {
  load()?.close(sock.fd);
}
