// ARP over Ethernet (RFC 826) as whole frames, for the AF_PACKET SOCK_RAW socket of
// arp-probe.ts: a 14-byte Ethernet II header (IEEE 802.3 type 0x0806) and the 28-byte ARP body
// for hardware type Ethernet and protocol IPv4. Pure codec: building needs valid text addresses
// (a programmer error otherwise, so it returns undefined), and parsing wire bytes never throws —
// it returns a verdict with the reason a frame is not an IPv4-over-Ethernet ARP message.

import { parseIp } from '../lib/inet.js';

/** Field values fixed for IPv4 over Ethernet (RFC 826; include/uapi/linux/if_arp.h). */
export const ARP = {
  etherType: 0x0806, // ETH_P_ARP, include/uapi/linux/if_ether.h
  ipv4EtherType: 0x0800, // ar_pro for IPv4
  hwEthernet: 1, // ARPHRD_ETHER
  hwLength: 6,
  protoLength: 4,
  opRequest: 1, // ARPOP_REQUEST
  opReply: 2, // ARPOP_REPLY
} as const;

/** Ethernet header (14) plus the ARP body (28); shorter-than-60 frames are padded by the NIC. */
export const ARP_FRAME_LENGTH = 42;
export const BROADCAST_MAC = 'ff:ff:ff:ff:ff:ff';
export const ZERO_MAC = '00:00:00:00:00:00';

export type ArpOp = 'request' | 'reply';

/** One ARP frame; MACs are lower-case `aa:bb:cc:dd:ee:ff`, addresses dotted quads. */
export interface ArpFrame {
  readonly ethDst: string;
  readonly ethSrc: string;
  readonly op: ArpOp;
  readonly senderMac: string;
  readonly senderIp: string;
  readonly targetMac: string;
  readonly targetIp: string;
}

export type ArpDecodeReason =
  | 'too-short'
  | 'not-arp' // Ethernet type is not 0x0806
  | 'not-ethernet' // ar_hrd / ar_hln other than Ethernet
  | 'not-ipv4' // ar_pro / ar_pln other than IPv4
  | 'bad-op'; // neither request nor reply (RARP, InARP, …)

export type ArpDecodeResult =
  | { readonly ok: true; readonly value: ArpFrame; readonly bytesRead: number }
  | { readonly ok: false; readonly reason: ArpDecodeReason };

/** `aa:bb:cc:dd:ee:ff` (any case, `-` or `:`) as 6 bytes; undefined when malformed. */
export function macBytes(text: string): Uint8Array | undefined {
  const parts = text.split(/[:-]/);
  if (parts.length !== 6 || !parts.every((p) => /^[0-9a-fA-F]{2}$/.test(p))) return undefined;
  return Uint8Array.from(parts, (p) => parseInt(p, 16));
}

export function formatMac(bytes: Uint8Array, offset = 0): string {
  const out: string[] = [];
  for (let i = 0; i < 6; i++) out.push((bytes[offset + i] ?? 0).toString(16).padStart(2, '0'));
  return out.join(':');
}

function ipv4Bytes(text: string): Uint8Array | undefined {
  const ip = parseIp(text);
  if (ip?.family !== 'inet') return undefined;
  return Uint8Array.from(ip.text.split('.'), Number);
}

/**
 * A frame for `f`; undefined when a MAC or address is not valid text. For a request, RFC 826
 * leaves the target hardware address unknown: callers pass ZERO_MAC, as Linux's arp_send does.
 */
export function encodeArpFrame(f: ArpFrame): Buffer | undefined {
  const ethDst = macBytes(f.ethDst);
  const ethSrc = macBytes(f.ethSrc);
  const sha = macBytes(f.senderMac);
  const tha = macBytes(f.targetMac);
  const spa = ipv4Bytes(f.senderIp);
  const tpa = ipv4Bytes(f.targetIp);
  if (!ethDst || !ethSrc || !sha || !tha || !spa || !tpa) return undefined;
  const b = Buffer.alloc(ARP_FRAME_LENGTH);
  b.set(ethDst, 0);
  b.set(ethSrc, 6);
  b.writeUInt16BE(ARP.etherType, 12);
  b.writeUInt16BE(ARP.hwEthernet, 14);
  b.writeUInt16BE(ARP.ipv4EtherType, 16);
  b[18] = ARP.hwLength;
  b[19] = ARP.protoLength;
  b.writeUInt16BE(f.op === 'request' ? ARP.opRequest : ARP.opReply, 20);
  b.set(sha, 22);
  b.set(spa, 28);
  b.set(tha, 32);
  b.set(tpa, 38);
  return b;
}

/** The who-has request for `targetIp`, broadcast from `senderMac`/`senderIp`. */
export function arpRequest(
  senderMac: string,
  senderIp: string,
  targetIp: string,
): Buffer | undefined {
  return encodeArpFrame({
    ethDst: BROADCAST_MAC,
    ethSrc: senderMac,
    op: 'request',
    senderMac,
    senderIp,
    targetMac: ZERO_MAC,
    targetIp,
  });
}

/** Parse one received frame (trailing Ethernet padding is ignored). Never throws. */
export function decodeArpFrame(buf: Uint8Array, offset = 0): ArpDecodeResult {
  if (offset < 0 || buf.length - offset < ARP_FRAME_LENGTH)
    return { ok: false, reason: 'too-short' };
  const v = new DataView(buf.buffer, buf.byteOffset + offset, ARP_FRAME_LENGTH);
  if (v.getUint16(12) !== ARP.etherType) return { ok: false, reason: 'not-arp' };
  if (v.getUint16(14) !== ARP.hwEthernet || v.getUint8(18) !== ARP.hwLength)
    return { ok: false, reason: 'not-ethernet' };
  if (v.getUint16(16) !== ARP.ipv4EtherType || v.getUint8(19) !== ARP.protoLength)
    return { ok: false, reason: 'not-ipv4' };
  const code = v.getUint16(20);
  if (code !== ARP.opRequest && code !== ARP.opReply) return { ok: false, reason: 'bad-op' };
  const ip = (at: number): string =>
    `${v.getUint8(at)}.${v.getUint8(at + 1)}.${v.getUint8(at + 2)}.${v.getUint8(at + 3)}`;
  return {
    ok: true,
    bytesRead: ARP_FRAME_LENGTH,
    value: {
      ethDst: formatMac(buf, offset),
      ethSrc: formatMac(buf, offset + 6),
      op: code === ARP.opRequest ? 'request' : 'reply',
      senderMac: formatMac(buf, offset + 22),
      senderIp: ip(28),
      targetMac: formatMac(buf, offset + 32),
      targetIp: ip(38),
    },
  };
}

/**
 * True when `f` says its sender holds `ip`: a reply from `ip`, or a gratuitous announcement
 * (sender and target both `ip`, RFC 5227 §3) such as a MASTER sends on taking a VIP. RFC 5227
 * probes (sender 0.0.0.0) and ordinary requests *for* `ip` claim nothing.
 */
export function claimsAddress(f: ArpFrame, ip: string): boolean {
  if (f.senderIp !== ip) return false;
  return f.op === 'reply' || f.targetIp === ip;
}
