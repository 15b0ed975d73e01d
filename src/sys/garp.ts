// Sends gratuitous ARPs and unsolicited Neighbour Advertisements for VIPs (keepalived.md §2.7).
// One announcer per interface keeps its sockets open, because a new master sends bursts (five
// rounds per VIP by default, again after garp_master_delay). ARP goes out an AF_PACKET raw
// socket with protocol 0, which sends but never receives (packet(7)), so nothing queues up on
// it; NA goes out an ICMPv6 raw socket whose ICMP6_FILTER blocks every type for the same reason
// (RFC 3542 §3.2), with hop limit 255 as RFC 4861 §7.1.2 receivers demand. Sockets open on first
// use per family, so an IPv4-only host never opens an ICMPv6 socket. Failures are values.

import {
  AF_INET6,
  AF_PACKET,
  IPPROTO_ICMPV6,
  IPPROTO_IPV6,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOCK_RAW,
  SOL_SOCKET,
  SO_BINDTODEVICE,
  errnoName,
  loadLibc,
  type Libc,
} from './libc.js';
import { gratuitousArpFrame, unsolicitedNaMessage, ETH_P_ARP } from './garp-frame.js';
import { interfaceIndex, interfaceMac } from './interface.js';
import { sockaddr } from './socket.js';

// Linux ABI constants: asm-generic/socket.h, include/uapi/linux/{in,in6,icmpv6}.h.
const IPV6_MULTICAST_IF = 17;
const IPV6_MULTICAST_HOPS = 18;
const IPV6_MULTICAST_LOOP = 19;
const ICMP6_FILTER = 1;
const ALL_NODES = 'ff02::1';

export type AnnouncerResult =
  | { readonly ok: true; readonly announcer: NeighbourAnnouncer }
  | { readonly ok: false; readonly code: string; readonly syscall: string };

/** Gratuitous ARP / unsolicited NA sender for one interface. */
export class NeighbourAnnouncer {
  readonly ifname: string;
  readonly ifindex: number;
  /** The interface's MAC when opened: the default sender hardware address. */
  readonly mac: string;
  #packetFd = -1;
  #icmp6Fd = -1;
  #closed = false;

  private constructor(ifname: string, ifindex: number, mac: string) {
    this.ifname = ifname;
    this.ifindex = ifindex;
    this.mac = mac;
  }

  /** Looks the interface up (index, MAC); sockets open on the first send. */
  static async open(ifname: string): Promise<AnnouncerResult> {
    if (loadLibc() === null) return { ok: false, code: 'ENOSYS', syscall: 'koffi' };
    const ifindex = interfaceIndex(ifname);
    const mac = await interfaceMac(ifname);
    if (ifindex === undefined || mac === undefined) {
      return { ok: false, code: 'ENODEV', syscall: 'if_nametoindex' };
    }
    return { ok: true, announcer: new NeighbourAnnouncer(ifname, ifindex, mac) };
  }

  /** One gratuitous ARP for `ip` (sender MAC `mac`, default the interface's); errno name or undefined. */
  gratuitousArp(ip: string, mac: string = this.mac): string | undefined {
    const c = loadLibc();
    if (c === null) return 'ENOSYS';
    if (this.#closed) return 'EBADF';
    const frame = gratuitousArpFrame(mac, ip);
    if (frame === undefined) return 'EINVAL';
    if (this.#packetFd < 0) {
      // Protocol 0: a send-only packet socket; the kernel delivers it no frames (packet(7)).
      const fd = c.socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0) return errnoName(c);
      this.#packetFd = fd;
    }
    const ll = sockaddrLl(this.ifindex, ETH_P_ARP);
    const n = c.sendto(this.#packetFd, frame, frame.length, 0, ll, ll.length);
    return n === frame.length ? undefined : n < 0 ? errnoName(c) : 'EMSGSIZE';
  }

  /** One unsolicited NA for `ip6` to ff02::1; errno name or undefined. */
  unsolicitedNa(ip6: string, opts: { mac?: string; router?: boolean } = {}): string | undefined {
    const c = loadLibc();
    if (c === null) return 'ENOSYS';
    if (this.#closed) return 'EBADF';
    const message = unsolicitedNaMessage(opts.mac ?? this.mac, ip6, opts.router ?? false);
    if (message === undefined) return 'EINVAL';
    if (this.#icmp6Fd < 0) {
      const opened = openIcmp6(c, this.ifname, this.ifindex);
      if (typeof opened === 'string') return opened;
      this.#icmp6Fd = opened;
    }
    const dst = sockaddr('inet6', ALL_NODES, 0);
    if (dst === undefined) return 'EINVAL';
    new DataView(dst.buffer).setUint32(24, this.ifindex, true); // sin6_scope_id
    const n = c.sendto(this.#icmp6Fd, message, message.length, 0, dst, dst.length);
    return n === message.length ? undefined : n < 0 ? errnoName(c) : 'EMSGSIZE';
  }

  /** Closes the sockets. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const c = loadLibc();
    if (this.#packetFd >= 0) c?.close(this.#packetFd);
    if (this.#icmp6Fd >= 0) c?.close(this.#icmp6Fd);
  }
}

/** One-shot gratuitous ARP (opens and closes its socket); prefer an announcer for bursts. */
export async function sendGratuitousArp(
  ifname: string,
  ip: string,
  mac?: string,
): Promise<string | undefined> {
  const r = await NeighbourAnnouncer.open(ifname);
  if (!r.ok) return r.code;
  const err = r.announcer.gratuitousArp(ip, mac);
  r.announcer.close();
  return err;
}

/** struct sockaddr_ll to the Ethernet broadcast address (include/uapi/linux/if_packet.h). */
export function sockaddrLl(ifindex: number, protocol: number): Uint8Array {
  const b = new Uint8Array(20);
  const v = new DataView(b.buffer);
  v.setUint16(0, AF_PACKET, true);
  v.setUint16(2, protocol, false); // sll_protocol is in network byte order
  v.setInt32(4, ifindex, true);
  b[11] = 6; // sll_halen
  b.fill(0xff, 12, 18);
  return b;
}

/** The ICMPv6 socket for NAs, or the errno name. */
function openIcmp6(c: Libc, ifname: string, ifindex: number): number | string {
  const fd = c.socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6);
  if (fd < 0) return errnoName(c);
  const int = (level: number, name: number, value: number): boolean =>
    c.setsockopt(fd, level, name, new Int32Array([value]), 4) === 0;
  const name = new TextEncoder().encode(`${ifname}\0`);
  const blockAll = new Int32Array(8).fill(-1); // struct icmp6_filter: a set bit blocks a type
  const ok =
    c.setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name, name.length) === 0 &&
    c.setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, blockAll, 32) === 0 &&
    int(IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 255) &&
    int(IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0) &&
    int(IPPROTO_IPV6, IPV6_MULTICAST_IF, ifindex);
  if (ok) return fd;
  const code = errnoName(c);
  c.close(fd);
  return code;
}
