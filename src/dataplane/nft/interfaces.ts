// Where DR traffic comes in and goes out: the interface of a VIP (its netdev table hooks
// ingress there) and of each real server (`fwd … device`). In order: --nft-interface; the
// configuration (the vrrp_instance that carries the VIP: the address's `dev`, else the
// instance's interface), so a backup director programs the interface the VIP will arrive on;
// the host interface that holds the address; the interface whose subnet contains it (longest
// prefix). Loopback never counts: a VIP on lo is a real server's, not a director's.

import { networkInterfaces } from 'node:os';
import type { Config } from '../../config/index.js';
import { ipv4ToNumber, ipv6Bytes, parseIp, type Family } from '../../lib/inet.js';

export interface HostAddress {
  readonly ifname: string;
  readonly address: string;
  readonly family: Family;
  readonly prefixLength: number;
}

export interface InterfaceHints {
  readonly override?: string;
  /** VIP → interface, from the VRRP configuration. */
  readonly configured: ReadonlyMap<string, string>;
  readonly host: readonly HostAddress[];
}

/** Addresses of this host's interfaces (Node's view: up interfaces with addresses). */
export function hostAddresses(): HostAddress[] {
  const out: HostAddress[] = [];
  for (const [ifname, list] of Object.entries(networkInterfaces())) {
    for (const a of list ?? []) {
      const prefixLength = Number(a.cidr?.split('/')[1]);
      if (a.internal || !Number.isInteger(prefixLength)) continue;
      const family: Family = a.family === 'IPv6' ? 'inet6' : 'inet';
      out.push({ ifname, address: parseIp(a.address)?.text ?? a.address, family, prefixLength });
    }
  }
  return out;
}

/** VIP → interface for every virtual_ipaddress of every vrrp_instance. */
export function configuredVipInterfaces(config: Config | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const inst of config?.vrrpInstances ?? []) {
    for (const v of [...inst.virtualIpaddress, ...inst.virtualIpaddressExcluded]) {
      const dev = v.dev ?? inst.interface;
      const addr = parseIp(v.address)?.text ?? v.address;
      if (dev !== undefined && !out.has(addr)) out.set(addr, dev);
    }
  }
  return out;
}

function bytesOf(address: string, family: Family): Uint8Array | undefined {
  if (family === 'inet6') return ipv6Bytes(address);
  if (parseIp(address)?.family !== 'inet') return undefined;
  const n = ipv4ToNumber(address);
  return Uint8Array.of(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
}

/** Whether `address` lies in `net`/`prefix` (same family). */
export function inPrefix(address: string, net: string, prefix: number, family: Family): boolean {
  const a = bytesOf(address, family);
  const b = bytesOf(net, family);
  if (a === undefined || b === undefined) return false;
  for (let bit = 0; bit < prefix; bit += 8) {
    const bits = Math.min(8, prefix - bit);
    const mask = (0xff << (8 - bits)) & 0xff;
    if (((a[bit / 8] ?? 0) & mask) !== ((b[bit / 8] ?? 0) & mask)) return false;
  }
  return true;
}

export function interfaceFor(
  address: string,
  family: Family,
  hints: InterfaceHints,
): string | undefined {
  if (hints.override !== undefined) return hints.override;
  const canonical = parseIp(address)?.text ?? address;
  const configured = hints.configured.get(canonical);
  if (configured !== undefined) return configured;
  const own = hints.host.filter((h) => h.ifname !== 'lo' && h.family === family);
  const holder = own.find((h) => h.address === canonical);
  if (holder !== undefined) return holder.ifname;
  let best: HostAddress | undefined;
  for (const h of own) {
    if (!inPrefix(canonical, h.address, h.prefixLength, family)) continue;
    if (best === undefined || h.prefixLength > best.prefixLength) best = h;
  }
  return best?.ifname;
}
