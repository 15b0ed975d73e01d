// Raw IP protocol-112 sockets for VRRP (RFC 3768 §5.1, RFC 5798 §5.1; raw(7), ip(7), ipv6(7)),
// set up the way keepalived's vrrp socket pool does (keepalived.md §2.1): TTL / hop limit 255 so
// receivers can tell the advert was not routed, TOS 0xC0 (network control), DF off, multicast
// loop off (a node must not hear itself), membership of 224.0.0.18 / ff02::12 on the interface,
// and ancillary data on receive so the instance learns the destination, hop limit and arrival
// interface. IPv4 receivers get the IP header as raw(7) delivers it; IPv6 ones only the VRRP
// message (the kernel strips the header), with hop limit and destination from cmsgs.
// Reads are readiness-driven (poll-reader.ts) and never block; failures are values.

import {
  AF_INET,
  AF_INET6,
  errnoName,
  loadLibc,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOCK_RAW,
  SOL_SOCKET,
} from './libc.js';
import { formatIpv6, ipv6Bytes, parseIp, type Family } from '../lib/inet.js';
import { interfaceIndex } from './interface.js';
import { PollReader } from './poll-reader.js';
import { MessageBuffer, type ControlMessage } from './recvmsg.js';
import { sockaddr } from './socket.js';
import { setupV4, setupV6 } from './vrrp-sockopt.js';

// Linux ABI constants: asm-generic/socket.h, include/uapi/linux/in.h, include/uapi/linux/in6.h.
const SO_BINDTODEVICE = 25;
const IPPROTO_IP = 0;
const IP_PKTINFO = 8;
const IPPROTO_IPV6 = 41;
const IPV6_PKTINFO = 50;
const IPV6_HOPLIMIT = 52;

export const IPPROTO_VRRP = 112;
export const VRRP_GROUP_V4 = '224.0.0.18';
export const VRRP_GROUP_V6 = 'ff02::12';
/** At most this many packets per wake-up, so a flood cannot hold the event loop. */
const DRAIN_MAX = 64;

export interface VrrpSocketSpec {
  readonly family: Family;
  /** SO_BINDTODEVICE, multicast interface and membership; scope of link-local addresses. */
  readonly ifname?: string;
  /** bind(2) address: the advert source (IPv6: the interface's link-local address). */
  readonly source?: string;
  /** Defaults to 224.0.0.18 / ff02::12; joined unless `unicast`. */
  readonly multicastGroup?: string;
  readonly unicast: boolean;
  /** IP_TTL / IPV6_UNICAST_HOPS for unicast sends (keepalived's unicast_ttl); default 255. */
  readonly ttl?: number;
  /** IP protocol; default 112 (51 would be AH). */
  readonly protocol?: number;
  /** IPv6: IPV6_CHECKSUM at offset 6, so the kernel fills (and checks) the v3 checksum. */
  readonly kernelChecksum?: boolean;
}

export interface VrrpPacket {
  /** IPv4: the whole IP datagram (header first); IPv6: the VRRP message only. */
  readonly bytes: Uint8Array;
  readonly src: string;
  /** The destination address of the packet (IP_PKTINFO / IPV6_PKTINFO). */
  readonly dst?: string;
  /** TTL (from the IPv4 header) or hop limit (IPV6_HOPLIMIT). */
  readonly hopLimit?: number;
  /** Arrival interface. */
  readonly ifindex?: number;
}

export type VrrpOpenResult =
  | { readonly ok: true; readonly socket: VrrpSocket }
  | { readonly ok: false; readonly code: string; readonly syscall: string };

/** One open VRRP socket. send() any time; startReceiving() once; close() when done. */
export class VrrpSocket {
  readonly fd: number;
  readonly family: Family;
  /** The interface index (0 when not bound to one). */
  readonly ifindex: number;
  #reader: PollReader | undefined;
  #buffer: MessageBuffer | undefined;
  #closed = false;

  constructor(fd: number, family: Family, ifindex: number) {
    this.fd = fd;
    this.family = family;
    this.ifindex = ifindex;
  }

  /** One advert to `dst` (group or unicast peer); undefined on success, else the errno name. */
  send(bytes: Uint8Array, dst: string): string | undefined {
    const c = loadLibc();
    if (c === null) return 'ENOSYS';
    if (this.#closed) return 'EBADF';
    const addr = socketAddress(this.family, dst, this.ifindex);
    if (addr === undefined) return 'EINVAL';
    const n = c.sendto(this.fd, bytes, bytes.length, 0, addr, addr.length);
    return n === bytes.length ? undefined : n < 0 ? errnoName(c) : 'EMSGSIZE';
  }

  /**
   * Delivers every packet the socket receives until close(). `onError` hears receive errors
   * (errno names); the socket keeps reading after them.
   */
  startReceiving(
    onPacket: (p: VrrpPacket) => void,
    onError?: (code: string) => void,
  ): string | undefined {
    if (this.#closed) return 'EBADF';
    if (this.#reader !== undefined) return 'EALREADY';
    const buffer = MessageBuffer.create();
    if (buffer === undefined) return 'ENOSYS';
    const drain = (): void => {
      for (let i = 0; i < DRAIN_MAX && !this.#closed; i++) {
        const r = buffer.receive(this.fd);
        if (!r.ok) {
          if (r.code !== 'EAGAIN' && r.code !== 'EINTR') onError?.(r.code);
          return;
        }
        if (r.from !== undefined) onPacket(packetOf(this.family, r.bytes, r.from, r.control));
      }
    };
    const started = PollReader.start(this.fd, drain, onError);
    if (!started.ok) {
      buffer.free();
      return started.code;
    }
    this.#reader = started.reader;
    this.#buffer = buffer;
    return undefined;
  }

  /** Stops receiving and closes the descriptor. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#reader?.close();
    this.#buffer?.free();
    loadLibc()?.close(this.fd);
  }
}

/** socket + options + bind (+ multicast membership) for one family, interface and mode. */
export function openVrrpSocket(spec: VrrpSocketSpec): VrrpOpenResult {
  const c = loadLibc();
  if (c === null) return { ok: false, code: 'ENOSYS', syscall: 'koffi' };
  let ifindex = 0;
  if (spec.ifname !== undefined) {
    const i = interfaceIndex(spec.ifname);
    if (i === undefined) return { ok: false, code: 'ENODEV', syscall: 'if_nametoindex' };
    ifindex = i;
  }
  const v4 = spec.family === 'inet';
  const group = spec.multicastGroup ?? (v4 ? VRRP_GROUP_V4 : VRRP_GROUP_V6);
  const groupBytes = addressBytes(spec.family, group);
  const sourceBytes =
    spec.source === undefined ? undefined : addressBytes(spec.family, spec.source);
  if (groupBytes === undefined || (spec.source !== undefined && sourceBytes === undefined)) {
    return { ok: false, code: 'EINVAL', syscall: 'inet_pton' };
  }
  const type = SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC;
  const fd = c.socket(v4 ? AF_INET : AF_INET6, type, spec.protocol ?? IPPROTO_VRRP);
  if (fd < 0) return { ok: false, code: errnoName(c), syscall: 'socket' };
  const fail = (syscall: string, code = errnoName(c)): VrrpOpenResult => {
    c.close(fd);
    return { ok: false, code, syscall };
  };
  const setInt = (level: number, name: number, value: number): boolean =>
    c.setsockopt(fd, level, name, new Int32Array([value]), 4) === 0;
  const setBytes = (level: number, name: number, value: Uint8Array): boolean =>
    c.setsockopt(fd, level, name, value, value.length) === 0;

  if (spec.ifname !== undefined) {
    const name = new TextEncoder().encode(`${spec.ifname}\0`);
    if (!setBytes(SOL_SOCKET, SO_BINDTODEVICE, name)) return fail('setsockopt(SO_BINDTODEVICE)');
  }
  // An IPv4 raw socket bound to an address only receives datagrams addressed to it (raw(7)), so
  // a bound multicast socket never sees 224.0.0.18. Multicast sends take their source from
  // IP_MULTICAST_IF's ip_mreqn address instead (keepalived likewise leaves its receive socket
  // unbound); unicast sends and receives are addressed to the bound address and keep bind(2).
  if (spec.source !== undefined && (spec.unicast || spec.family !== 'inet')) {
    const addr = socketAddress(spec.family, spec.source, ifindex);
    if (addr === undefined) return fail('bind', 'EINVAL');
    if (c.bind(fd, addr, addr.length) !== 0) return fail('bind');
  }
  const ttl = spec.ttl ?? 255;
  const ok = v4
    ? setupV4(setInt, setBytes, ttl, ifindex, sourceBytes, spec.unicast ? undefined : groupBytes)
    : setupV6(
        setInt,
        setBytes,
        ttl,
        ifindex,
        spec.kernelChecksum === true,
        spec.unicast ? undefined : groupBytes,
      );
  if (ok !== undefined) return fail(`setsockopt(${ok})`);
  return { ok: true, socket: new VrrpSocket(fd, spec.family, ifindex) };
}

function addressBytes(family: Family, text: string): Uint8Array | undefined {
  const ip = parseIp(text);
  if (ip?.family !== family) return undefined;
  return family === 'inet' ? Uint8Array.from(ip.text.split('.'), Number) : ipv6Bytes(ip.text);
}

/** sockaddr_in / sockaddr_in6 with the scope id set for IPv6 (ignored for global scope). */
function socketAddress(family: Family, text: string, ifindex: number): Uint8Array | undefined {
  const addr = sockaddr(family, text, 0);
  if (addr !== undefined && family === 'inet6')
    new DataView(addr.buffer).setUint32(24, ifindex, true);
  return addr;
}

function packetOf(
  family: Family,
  bytes: Uint8Array,
  src: string,
  control: readonly ControlMessage[],
): VrrpPacket {
  let dst: string | undefined;
  let hopLimit: number | undefined;
  let ifindex: number | undefined;
  for (const m of control) {
    const v = new DataView(m.data.buffer, m.data.byteOffset, m.data.byteLength);
    if (m.level === IPPROTO_IP && m.type === IP_PKTINFO && m.data.length >= 12) {
      // struct in_pktinfo: ifindex, spec_dst, addr (the header destination)
      ifindex = v.getInt32(0, true);
      dst = Array.from(m.data.subarray(8, 12)).join('.');
    } else if (m.level === IPPROTO_IPV6 && m.type === IPV6_PKTINFO && m.data.length >= 20) {
      dst = formatIpv6(m.data.subarray(0, 16));
      ifindex = v.getInt32(16, true);
    } else if (m.level === IPPROTO_IPV6 && m.type === IPV6_HOPLIMIT && m.data.length >= 4) {
      hopLimit = v.getInt32(0, true);
    }
  }
  if (family === 'inet' && bytes.length >= 20) hopLimit = bytes[8];
  return {
    bytes,
    src,
    ...(dst === undefined ? {} : { dst }),
    ...(hopLimit === undefined ? {} : { hopLimit }),
    ...(ifindex === undefined ? {} : { ifindex }),
  };
}
