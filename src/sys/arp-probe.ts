// "Who has VIP?" on the wire, for split-brain detection (vrrp/split-brain.ts): when VRRP adverts
// cannot cross between two directors, both become MASTER and both hold the VIP, and only a node
// on the link can tell. An AF_PACKET SOCK_RAW socket bound to the interface with ETH_P_ARP
// (packet(7)) sends one broadcast ARP request for the target and collects, for the probe window,
// every sender MAC that claims the target (a reply, or a gratuitous announcement).
//
// Sender IP is the director's own address on the interface, not 0.0.0.0 and never the VIP: a
// request from the VIP is gratuitous ARP (peers update their caches, Linux sends no reply, and
// it would poison caches while we merely ask), and an RFC 5227 probe from 0.0.0.0, although
// Linux answers it, reads as duplicate-address detection to other stacks and to switches doing
// ARP inspection. An ordinary request from a routable on-link source is answered by everyone,
// and passes the peer's rp_filter / arp_filter checks. The local kernel never sees what this
// socket transmits, so our own hold of the VIP does not answer; only other holders do.
//
// Receiving never blocks the event loop: the socket is non-blocking and drained with
// MSG_DONTWAIT every `drainMs` (default 10 ms) during the window, bounded per drain, then once
// more at the deadline. The whole window is always waited for, to list every other holder.

import { readFile } from 'node:fs/promises';
import { systemClock, type Clock } from '../lib/clock.js';
import { arpRequest, ARP, claimsAddress, decodeArpFrame, macBytes } from './arp-frame.js';
import {
  MSG_DONTWAIT,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOCK_RAW,
  errnoName,
  loadLibc,
  type Libc,
} from './libc.js';

// Linux ABI constants (include/linux/socket.h, include/uapi/linux/if_packet.h, if_arp.h).
const AF_PACKET = 17;
const PACKET_OUTGOING = 4; // sll_pkttype of frames this host transmitted
const ARPHRD_ETHER = 1;
const SOCKADDR_LL_LENGTH = 20;
/** Frames read per drain, so a flood of ARP on a busy segment cannot hog the loop. */
const DRAIN_BATCH = 256;

export interface ArpProbeRequest {
  readonly ifname: string;
  /** The IPv4 address asked for (a VIP). */
  readonly target: string;
  /** Our own address on `ifname`, the request's sender IP (see the header). */
  readonly source: string;
  readonly timeoutMs: number;
  /** Interval of the non-blocking drains during the window. */
  readonly drainMs?: number;
  readonly clock?: Clock;
}

export type ArpProbeResult =
  /** `macs`: distinct sender MACs other than ours that claimed `target`, in order of arrival. */
  | { readonly ok: true; readonly macs: readonly string[] }
  | { readonly ok: false; readonly code: string; readonly syscall: string };

export type ArpProbe = (req: ArpProbeRequest) => Promise<ArpProbeResult>;

interface LinkInfo {
  readonly ifindex: number;
  readonly mac: string;
}

/** ifindex and MAC from sysfs (sysfs-class-net); a failure as an errno-like value. */
async function linkInfo(ifname: string): Promise<LinkInfo | { code: string }> {
  // An interface name is at most IFNAMSIZ-1 bytes and never a path component we could escape by.
  if (!/^[^/\0\s]{1,15}$/.test(ifname) || ifname === '.' || ifname === '..')
    return { code: 'EINVAL' };
  const dir = `/sys/class/net/${ifname}`;
  try {
    const [index, address, type] = await Promise.all(
      ['ifindex', 'address', 'type'].map((f) => readFile(`${dir}/${f}`, 'utf8')),
    );
    if (Number(type?.trim()) !== ARPHRD_ETHER) return { code: 'EOPNOTSUPP' };
    const mac = address?.trim().toLowerCase() ?? '';
    const ifindex = Number(index?.trim());
    if (macBytes(mac) === undefined || !Number.isInteger(ifindex)) return { code: 'EOPNOTSUPP' };
    return { ifindex, mac };
  } catch (e) {
    return { code: (e as { code?: string }).code === 'ENOENT' ? 'ENODEV' : 'EIO' };
  }
}

/** struct sockaddr_ll for bind(2) and sendto(2): ETH_P_ARP on `ifindex`, to `mac`. */
function sockaddrLl(ifindex: number, mac: Uint8Array): Uint8Array {
  const b = new Uint8Array(SOCKADDR_LL_LENGTH);
  const v = new DataView(b.buffer);
  v.setUint16(0, AF_PACKET, true);
  v.setUint16(2, ARP.etherType, false); // sll_protocol is network order
  v.setInt32(4, ifindex, true);
  b[11] = mac.length;
  b.set(mac, 12);
  return b;
}

/** Ask for `target` on `ifname` and list the other MACs that claim it within the window. */
export async function probeArp(req: ArpProbeRequest): Promise<ArpProbeResult> {
  const c = loadLibc();
  if (c === null) return { ok: false, code: 'ENOSYS', syscall: 'koffi' };
  const link = await linkInfo(req.ifname);
  if ('code' in link) return { ok: false, code: link.code, syscall: 'sysfs' };
  const frame = arpRequest(link.mac, req.source, req.target);
  if (frame === undefined) return { ok: false, code: 'EINVAL', syscall: 'sendto' };
  const addr = sockaddrLl(link.ifindex, Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff));

  // socket(2) takes the protocol in network order: htons(ETH_P_ARP).
  const proto = ((ARP.etherType & 0xff) << 8) | (ARP.etherType >> 8);
  const fd = c.socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
  if (fd < 0) return { ok: false, code: errnoName(c), syscall: 'socket' };
  const fail = (syscall: string): ArpProbeResult => {
    const code = errnoName(c);
    c.close(fd);
    return { ok: false, code, syscall };
  };
  if (c.bind(fd, addr, addr.length) !== 0) return fail('bind');
  const sent = c.sendto(fd, frame, frame.length, 0, addr, addr.length);
  if (sent < 0) return fail('sendto');
  if (sent !== frame.length) {
    c.close(fd);
    return { ok: false, code: 'EMSGSIZE', syscall: 'sendto' };
  }

  const clock = req.clock ?? systemClock;
  const macs = new Set<string>();
  return new Promise((resolve) => {
    let done = false;
    const finish = (result: ArpProbeResult): void => {
      if (done) return;
      done = true;
      stopDrain();
      stopDeadline();
      c.close(fd);
      resolve(result);
    };
    const tick = (): void => {
      const error = drain(c, fd, link, req.target, macs);
      if (error !== undefined) finish({ ok: false, code: error, syscall: 'recvfrom' });
    };
    const stopDrain = clock.every(Math.max(1, req.drainMs ?? 10), tick);
    const stopDeadline = clock.setTimer(Math.max(0, req.timeoutMs), () => {
      tick();
      finish({ ok: true, macs: [...macs] });
    });
  });
}

/** Read what waits (at most DRAIN_BATCH frames); an errno name other than EAGAIN ends the probe. */
function drain(
  c: Libc,
  fd: number,
  link: LinkInfo,
  target: string,
  macs: Set<string>,
): string | undefined {
  const buf = new Uint8Array(128); // ARP frames are 42–60 bytes; longer ones arrive truncated
  const from = new Uint8Array(SOCKADDR_LL_LENGTH);
  const fromLen = new Uint32Array(1);
  for (let i = 0; i < DRAIN_BATCH; i++) {
    fromLen[0] = from.length;
    const n = c.recvfrom(fd, buf, buf.length, MSG_DONTWAIT, from, fromLen);
    if (n < 0) {
      const code = errnoName(c);
      return code === 'EAGAIN' || code === 'EWOULDBLOCK' ? undefined : code;
    }
    // Frames queued between socket() and bind() may come from other interfaces; frames we
    // transmitted ourselves (the kernel's own ARP) say nothing about other holders.
    const v = new DataView(from.buffer);
    if (v.getInt32(4, true) !== link.ifindex || from[10] === PACKET_OUTGOING) continue;
    const d = decodeArpFrame(buf.subarray(0, Math.min(n, buf.length)));
    if (!d.ok || !claimsAddress(d.value, target)) continue;
    if (d.value.senderMac !== link.mac) macs.add(d.value.senderMac);
  }
  return undefined;
}
