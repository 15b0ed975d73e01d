// The two announcements a new VRRP master sends so neighbours repoint a VIP at its MAC
// (keepalived.md §2.7), as pure byte builders. Gratuitous ARP: a whole Ethernet frame (we write
// the link header ourselves so the source MAC can be a VMAC) carrying an ARP request whose sender
// and target IP are both the VIP and whose target MAC is broadcast, as keepalived sends it
// (RFC 826 layout; RFC 5227 §3 on ARP announcements). Unsolicited Neighbour Advertisement:
// the ICMPv6 message only (RFC 4861 §4.4, §7.2.6), checksum left zero for the kernel to fill.

import { ipv6Bytes, parseIp } from '../lib/inet.js';
import { parseMac } from './interface.js';

export const ETH_P_ARP = 0x0806;
const ETH_P_IP = 0x0800;
const ARPHRD_ETHER = 1;
const ARPOP_REQUEST = 1;
const ICMPV6_NEIGHBOUR_ADVERT = 136;
const NA_ROUTER = 0x80;
const NA_OVERRIDE = 0x20;
const ND_OPT_TARGET_LL_ADDR = 2;

/** 42 bytes: Ethernet header (broadcast, `mac`, ARP) + ARP announcement of `ip` at `mac`. */
export function gratuitousArpFrame(mac: string, ip: string): Uint8Array | undefined {
  const hw = parseMac(mac);
  const addr = parseIp(ip);
  if (hw === undefined || addr?.family !== 'inet') return undefined;
  const pa = Uint8Array.from(addr.text.split('.'), Number);
  const f = new Uint8Array(42);
  const v = new DataView(f.buffer);
  f.fill(0xff, 0, 6); // destination: broadcast
  f.set(hw, 6);
  v.setUint16(12, ETH_P_ARP);
  v.setUint16(14, ARPHRD_ETHER);
  v.setUint16(16, ETH_P_IP);
  f[18] = 6; // hardware address length
  f[19] = 4; // protocol address length
  v.setUint16(20, ARPOP_REQUEST);
  f.set(hw, 22); // sender MAC
  f.set(pa, 28); // sender IP = VIP
  f.fill(0xff, 32, 38); // target MAC: broadcast, as keepalived (RFC 5227 would use zeros)
  f.set(pa, 38); // target IP = VIP
  return f;
}

/**
 * 32 bytes: Neighbour Advertisement for `ip6` with Override set (Solicited clear: nobody
 * asked), Router when this node forwards, and a Target Link-Layer Address option of `mac`.
 */
export function unsolicitedNaMessage(
  mac: string,
  ip6: string,
  router: boolean,
): Uint8Array | undefined {
  const hw = parseMac(mac);
  const target = ipv6Bytes(ip6);
  if (hw === undefined || target === undefined || parseIp(ip6)?.family !== 'inet6')
    return undefined;
  const m = new Uint8Array(32);
  m[0] = ICMPV6_NEIGHBOUR_ADVERT;
  m[1] = 0; // code; bytes 2-3: checksum, filled by the kernel for ICMPv6 raw sockets
  m[4] = NA_OVERRIDE | (router ? NA_ROUTER : 0);
  m.set(target, 8);
  m[24] = ND_OPT_TARGET_LL_ADDR;
  m[25] = 1; // option length in units of 8 bytes
  m.set(hw, 26);
  return m;
}
