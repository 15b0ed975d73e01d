// The socket options of a VRRP socket, per family, as keepalived sets them (keepalived.md §2.1;
// ip(7), ipv6(7), raw(7)). Split from vrrp-socket.ts so the option list reads as one table; the
// setters are injected so this file holds no descriptor.

// Linux ABI constants: include/uapi/linux/in.h, include/uapi/linux/in6.h.
const IPPROTO_IP = 0;
const IP_TOS = 1;
const IP_TTL = 2;
const IP_PKTINFO = 8;
const IP_MTU_DISCOVER = 10;
const IP_PMTUDISC_DONT = 0;
const IP_MULTICAST_IF = 32;
const IP_MULTICAST_TTL = 33;
const IP_MULTICAST_LOOP = 34;
const IP_ADD_MEMBERSHIP = 35;
const IPPROTO_IPV6 = 41;
const IPV6_CHECKSUM = 7;
const IPV6_UNICAST_HOPS = 16;
const IPV6_MULTICAST_IF = 17;
const IPV6_MULTICAST_HOPS = 18;
const IPV6_MULTICAST_LOOP = 19;
const IPV6_ADD_MEMBERSHIP = 20;
const IPV6_RECVPKTINFO = 49;
const IPV6_RECVHOPLIMIT = 51;

export type SetInt = (level: number, name: number, value: number) => boolean;
export type SetBytes = (level: number, name: number, value: Uint8Array) => boolean;

/** IPv4 options; the name of the option that failed, or undefined. */
export function setupV4(
  setInt: SetInt,
  setBytes: SetBytes,
  ttl: number,
  ifindex: number,
  source: Uint8Array | undefined,
  join: Uint8Array | undefined,
): string | undefined {
  if (!setInt(IPPROTO_IP, IP_TOS, 0xc0)) return 'IP_TOS';
  // keepalived sends adverts with DF clear; raw sockets default to path-MTU discovery (DF set).
  if (!setInt(IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT)) return 'IP_MTU_DISCOVER';
  if (!setInt(IPPROTO_IP, IP_TTL, ttl)) return 'IP_TTL';
  if (!setInt(IPPROTO_IP, IP_MULTICAST_TTL, 255)) return 'IP_MULTICAST_TTL';
  if (!setInt(IPPROTO_IP, IP_MULTICAST_LOOP, 0)) return 'IP_MULTICAST_LOOP';
  if (!setInt(IPPROTO_IP, IP_PKTINFO, 1)) return 'IP_PKTINFO';
  if (ifindex !== 0 || source !== undefined) {
    if (!setBytes(IPPROTO_IP, IP_MULTICAST_IF, ipMreqn(undefined, source, ifindex))) {
      return 'IP_MULTICAST_IF';
    }
  }
  if (
    join !== undefined &&
    !setBytes(IPPROTO_IP, IP_ADD_MEMBERSHIP, ipMreqn(join, source, ifindex))
  ) {
    return 'IP_ADD_MEMBERSHIP';
  }
  return undefined;
}

/** IPv6 options; the name of the option that failed, or undefined. */
export function setupV6(
  setInt: SetInt,
  setBytes: SetBytes,
  hops: number,
  ifindex: number,
  kernelChecksum: boolean,
  join: Uint8Array | undefined,
): string | undefined {
  if (!setInt(IPPROTO_IPV6, IPV6_UNICAST_HOPS, hops)) return 'IPV6_UNICAST_HOPS';
  if (!setInt(IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 255)) return 'IPV6_MULTICAST_HOPS';
  if (!setInt(IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0)) return 'IPV6_MULTICAST_LOOP';
  if (ifindex !== 0 && !setInt(IPPROTO_IPV6, IPV6_MULTICAST_IF, ifindex))
    return 'IPV6_MULTICAST_IF';
  if (!setInt(IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1)) return 'IPV6_RECVHOPLIMIT';
  if (!setInt(IPPROTO_IPV6, IPV6_RECVPKTINFO, 1)) return 'IPV6_RECVPKTINFO';
  // The v3 checksum field is at offset 6 of the VRRP message (RFC 5798 §5.2.8).
  if (kernelChecksum && !setInt(IPPROTO_IPV6, IPV6_CHECKSUM, 6)) return 'IPV6_CHECKSUM';
  if (join !== undefined) {
    const mreq = new Uint8Array(20); // struct ipv6_mreq: in6_addr, int ifindex
    mreq.set(join, 0);
    new DataView(mreq.buffer).setInt32(16, ifindex, true);
    if (!setBytes(IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, mreq)) return 'IPV6_ADD_MEMBERSHIP';
  }
  return undefined;
}

/** struct ip_mreqn: multiaddr, local address, ifindex (include/uapi/linux/in.h). */
function ipMreqn(
  group: Uint8Array | undefined,
  local: Uint8Array | undefined,
  ifindex: number,
): Uint8Array {
  const b = new Uint8Array(12);
  if (group !== undefined) b.set(group, 0);
  if (local !== undefined) b.set(local, 4);
  new DataView(b.buffer).setInt32(8, ifindex, true);
  return b;
}
