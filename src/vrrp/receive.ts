// Receive validation of one VRRP packet for one instance, in keepalived 2.2.7's order
// (vrrp_check_packet; keepalived.md §2.2). Pure: the caller passes what the socket saw and gets a
// verdict. A rejection names one of RX_REJECT_REASONS (one counter each; RX_REJECT_STATS maps
// them onto the stats file of keepalived.md §4.4) and a detail worded as keepalived 2.2.7 logs it,
// without the "(VI_1) " prefix, which the instance's logger adds.

import { timingSafeEqual } from 'node:crypto';
import type { Family } from '../lib/inet.js';
import { decodeAdvert, VRRP, VRRP_AUTH, type Advert, type AdvertDecodeReason } from './packet.js';

export interface UnicastPeer {
  readonly address: string;
  /** unicast_peer … min_ttl / max_ttl (2.2.x): accepted TTL range for this peer. */
  readonly minTtl?: number;
  readonly maxTtl?: number;
}

export interface ReceiveParams {
  readonly version: 2 | 3;
  readonly vrid: number;
  readonly family: Family;
  readonly authType: 0 | 1 | 2;
  readonly authPass?: string; // auth_pass; keepalived keeps its first 8 bytes
  readonly advertIntCs: number; // configured advert_int, centiseconds (v2: × 100)
  /** VIP addresses without prefix length, canonical text (as lib/inet parseIp gives). */
  readonly vips: readonly string[];
  readonly unicast: boolean;
  readonly unicastPeers: readonly UnicastPeer[];
  readonly checkUnicastSrc: boolean; // vrrp_check_unicast_src
  /** skip_check_adv_addr: no VIP check for repeat adverts from the current master. */
  readonly skipCheckAdvAddr: boolean;
  /** 'reject' is 2.2.7 (a backup drops adverts whose VIPs differ); 'log' keeps them, noted. */
  readonly vipCheck: 'reject' | 'log';
}

export interface ReceivedPacket {
  /** The VRRP message (IPv4: after the IP header; IPv6: what the socket read). */
  readonly payload: Uint8Array;
  readonly src: string;
  readonly dst: string;
  /** TTL / hop limit; undefined where the transport cannot see it (UDP), skipping TTL checks. */
  readonly ttl: number | undefined;
  readonly ipTotalLength?: number; // IPv4 tot_len, when the IP header was read
  /** IPv4 header length (IHL × 4); defaults to 20 (IPv4) or 40 (IPv6). */
  readonly ipHeaderLength?: number;
  /** IP protocol of the datagram: 51 means an AH header precedes the VRRP message. */
  readonly protocol?: number;
  readonly multicast: boolean;
}

export interface ReceiveOptions {
  /** Source of the master whose adverts we last accepted (for skip_check_adv_addr). */
  readonly currentMaster?: string;
  /** Verify the checksum over IPv6 too: raw sockets have the kernel do it, UDP does not. */
  readonly verifyIpv6Checksum?: boolean;
  /** Accept the pre-1.3.6 unicast v3 checksum (old_unicast_checksum, default auto = true). */
  readonly acceptOldUnicastChecksum?: boolean;
  /** v3_checksum_as_v2: also accept a v3 checksum without pseudo-header. */
  readonly v3ChecksumAsV2?: boolean;
}

/** One counter each; in keepalived's check order (wrong-vrid is the caller's dispatch). */
// prettier-ignore
export const RX_REJECT_REASONS = [
  'wrong-vrid', 'auth-ah', 'length', 'ttl', 'version', 'auth-type-invalid', 'auth-type-mismatch',
  'auth-failure', 'interval', 'type', 'ip-length', 'checksum', 'cast-type', 'address-list',
  'unicast-src',
] as const;
export type RxRejectReason = (typeof RX_REJECT_REASONS)[number];

/** The stats file line (keepalived.md §4.4) each reason counts under; null where none. */
export const RX_REJECT_STATS: Readonly<Record<RxRejectReason, string | null>> = {
  'wrong-vrid': null,
  'auth-ah': 'Authentication Errors: Failure',
  length: 'Packet Errors: Length',
  ttl: 'Packet Errors: TTL',
  version: null,
  'auth-type-invalid': 'Authentication Errors: Invalid Type',
  'auth-type-mismatch': 'Authentication Errors: Type Mismatch',
  'auth-failure': 'Authentication Errors: Failure',
  interval: 'Packet Errors: Advertisement Interval',
  type: 'Packet Errors: Invalid Type',
  'ip-length': 'Packet Errors: Length',
  checksum: null,
  'cast-type': null,
  'address-list': 'Packet Errors: Address List',
  'unicast-src': null,
};

export type RxNote =
  | { readonly kind: 'v3-interval'; readonly advertIntCs: number; readonly detail: string }
  | { readonly kind: 'old-unicast-checksum'; readonly detail: string }
  | { readonly kind: 'checksum-as-v2'; readonly detail: string }
  | { readonly kind: 'vip-mismatch'; readonly detail: string }
  | { readonly kind: 'priority-zero'; readonly detail: string };

export type RxVerdict =
  | { readonly ok: true; readonly advert: Advert; readonly notes: readonly RxNote[] }
  | { readonly ok: false; readonly reason: RxRejectReason; readonly detail: string };

const AH_PROTOCOL = 51; // RFC 4302
const ETH_MIN_IP_LENGTH = 46; // 60-byte minimum Ethernet frame less the 14-byte header
const VLAN_TAG = 4;

function reject(reason: RxRejectReason, detail: string): RxVerdict {
  return { ok: false, reason, detail };
}

/** The 8 bytes a PASS password occupies on the wire: truncated, NUL-padded (RFC 2338 §5.3.6.1). */
export function passwordBytes(pass: string): Uint8Array {
  const out = new Uint8Array(VRRP.AUTH_DATA_LENGTH);
  out.set(Buffer.from(pass, 'utf8').subarray(0, VRRP.AUTH_DATA_LENGTH));
  return out;
}

/**
 * Extra bytes past the message are tolerated only when Ethernet minimum-frame padding explains
 * them: the datagram was under 46 bytes and now fills the minimum, less whole VLAN tags that
 * were counted in the frame and stripped since.
 */
function isEthernetPadding(ipHeader: number, expected: number, received: number): boolean {
  const got = ipHeader + received;
  return (
    ipHeader + expected < ETH_MIN_IP_LENGTH &&
    got <= ETH_MIN_IP_LENGTH &&
    (ETH_MIN_IP_LENGTH - got) % VLAN_TAG === 0
  );
}

/** What the codec refuses, as counted here; the checks above leave only the last two. */
// prettier-ignore
const FROM_DECODE: Readonly<Record<AdvertDecodeReason, RxRejectReason>> = {
  'too-short': 'length', 'bad-version': 'version', 'bad-type': 'type', 'ipv6-in-v2': 'version',
  'bad-auth-type': 'auth-type-invalid', 'auth-ah': 'auth-ah',
  'bad-interval': 'interval', // tandem's own refusal of 0: keepalived cannot send it
  'bad-checksum': 'checksum',
};

export function checkAdvert(
  inst: ReceiveParams,
  rx: ReceivedPacket,
  opts: ReceiveOptions = {},
): RxVerdict {
  const p = rx.payload;
  const ipHeader = rx.ipHeaderLength ?? (inst.family === 'inet' ? 20 : 40);
  if (p.length < VRRP.HEADER_LENGTH)
    return reject(
      'length',
      `${inst.family === 'inet' ? 'IPv4' : 'IPv6'} VRRP packet too short - ${ipHeader + p.length} bytes`,
    );
  // The socket is shared per interface and family; the caller dispatches by VRID.
  const vrid = p[1] ?? 0;
  if (vrid !== inst.vrid)
    return reject('wrong-vrid', `received VRID mismatch. Received ${vrid}, Expected ${inst.vrid}`);

  // 1. AH header iff auth_type AH. tandem implements no AH, so any AH is refused.
  const ah = rx.protocol === AH_PROTOCOL;
  if (ah && inst.authType !== VRRP_AUTH.AH)
    return reject('auth-ah', 'Received AH header but auth type not AH');
  if (!ah && inst.authType === VRRP_AUTH.AH)
    return reject('auth-ah', 'No AH header but auth type is AH');
  if (ah) return reject('auth-ah', 'IPsec AH authentication is not supported');

  // 2. Length from the advert's version (ours if it has none we know), our family and its
  // address count, so that a peer of the other version is told "wrong version" below.
  const count = p[3] ?? 0;
  const version = (p[0] ?? 0) >> 4;
  const lengthVersion = version === 2 || version === 3 ? version : inst.version;
  const expected =
    VRRP.HEADER_LENGTH +
    count * (inst.family === 'inet' ? 4 : 16) +
    (lengthVersion === 2 ? VRRP.AUTH_DATA_LENGTH : 0);
  let received = p.length;
  if (received > expected && isEthernetPadding(ipHeader, expected, received)) received = expected;
  if (received !== expected) {
    const which = received > expected ? 'long' : 'short';
    return reject('length', `vrrp packet too ${which}, length ${received} and expect ${expected}`);
  }

  // 3. TTL / hop limit 255 (RFC 5798 §7.1), unless unicast, where peers may be routed.
  if (!inst.unicast && rx.ttl !== undefined && rx.ttl !== VRRP.TTL)
    return reject('ttl', `invalid TTL/HL. Received ${rx.ttl} and expect ${VRRP.TTL}`);

  // 4. Version.
  if (version !== inst.version)
    return reject('version', `wrong version. Received ${version} and expect ${inst.version}`);

  // 5. v2 authentication and interval.
  if (inst.version === 2) {
    const authType = p[4] ?? 0;
    if (authType > VRRP_AUTH.AH)
      return reject('auth-type-invalid', `Invalid auth type: ${authType}`);
    if (authType !== inst.authType)
      return reject(
        'auth-type-mismatch',
        `received a ${authType} auth, expecting ${inst.authType}!`,
      );
    if (authType === VRRP_AUTH.PASS) {
      const got = p.subarray(expected - VRRP.AUTH_DATA_LENGTH, expected);
      if (!timingSafeEqual(got, passwordBytes(inst.authPass ?? '')))
        return reject('auth-failure', 'received an invalid passwd!');
    }
    // RFC 3768 §7.1: a mismatch is dropped, or two masters could run for one VRID.
    const seconds = p[5] ?? 0;
    if (seconds * 100 !== inst.advertIntCs)
      return reject(
        'interval',
        `advertisement interval mismatch mine=${Math.floor(inst.advertIntCs / 100)} sec rcv'd=${seconds} sec`,
      );
  }

  // 6. Type, then the IPv4 total length against what arrived.
  const type = (p[0] ?? 0) & 0x0f;
  if (type !== VRRP.TYPE_ADVERTISEMENT)
    return reject('type', `Invalid packet type. ${type} and expect ${VRRP.TYPE_ADVERTISEMENT}`);
  if (rx.ipTotalLength !== undefined && rx.ipTotalLength !== ipHeader + received)
    return reject(
      'ip-length',
      `ip_tot_len mismatch against received length. ${rx.ipTotalLength} and received ${ipHeader + received}`,
    );

  // 7. Checksum (IPv6: the kernel checked it, unless this came over UDP).
  const verify = inst.family === 'inet' || opts.verifyIpv6Checksum === true;
  const decoded = decodeAdvert(p.subarray(0, expected), {
    family: inst.family,
    src: rx.src,
    dst: rx.dst,
    checksum: verify ? 'verify' : 'skip',
    acceptOldUnicast: inst.unicast && opts.acceptOldUnicastChecksum !== false,
    acceptAsV2: opts.v3ChecksumAsV2 === true,
  });
  if (!decoded.ok) {
    const detail =
      decoded.reason === 'bad-checksum'
        ? `Invalid VRRPv${inst.version} checksum`
        : `advert from ${rx.src} refused: ${decoded.reason}`;
    return reject(FROM_DECODE[decoded.reason], detail);
  }
  const advert = decoded.value;
  const notes: RxNote[] = [];
  if (decoded.checksum === 'old-unicast')
    notes.push({
      kind: 'old-unicast-checksum',
      detail: 'Setting unicast VRRPv3 checksum to old version',
    });
  if (decoded.checksum === 'as-v2')
    notes.push({
      kind: 'checksum-as-v2',
      detail: 'VRRPv3 checksum computed without pseudo-header',
    });

  // 8. Multicast iff not unicast.
  if (rx.multicast === inst.unicast) {
    const want = inst.unicast ? 'un' : 'mult';
    const got = rx.multicast ? 'mult' : 'un';
    return reject('cast-type', `Expected ${want}icast packet but received ${got}icast packet`);
  }

  // 9. VIPs: 2.2.7 backups drop adverts whose list differs (#1515, #2444).
  const repeat = inst.skipCheckAdvAddr && opts.currentMaster === rx.src;
  if (!repeat) {
    let problem: string | undefined;
    if (advert.addresses.length !== inst.vips.length)
      problem = `expected ${inst.vips.length} VIPs but received ${advert.addresses.length}`;
    else {
      const missing = inst.vips.find((ip) => !advert.addresses.includes(ip));
      if (missing !== undefined)
        problem = `ip address associated with VRID ${inst.vrid} not present in MASTER advert: ${missing}`;
    }
    if (problem !== undefined) {
      if (inst.vipCheck === 'reject') return reject('address-list', problem);
      notes.push({ kind: 'vip-mismatch', detail: problem });
    }
  }

  // 10. Unicast: the source must be a peer (check_unicast_src), within its TTL range.
  if (inst.unicast) {
    const peer = inst.unicastPeers.find((u) => u.address === rx.src);
    if (peer === undefined && inst.checkUnicastSrc)
      return reject('unicast-src', `unicast source address ${rx.src} not a unicast peer`);
    if (peer !== undefined && rx.ttl !== undefined) {
      const min = peer.minTtl ?? 0;
      const max = peer.maxTtl ?? 255;
      if (rx.ttl < min || rx.ttl > max)
        return reject('ttl', `TTL/HL ${rx.ttl} not in range ${min} - ${max}`);
    }
  }

  // v3: a different interval is adopted by a backup (RFC 5798 §6.4.2), not refused.
  if (inst.version === 3 && advert.advertIntCs !== inst.advertIntCs)
    notes.push({
      kind: 'v3-interval',
      advertIntCs: advert.advertIntCs,
      detail: `advertisement interval mismatch mine=${inst.advertIntCs * 10}ms rcv'd=${advert.advertIntCs * 10}ms`,
    });
  if (advert.priority === 0)
    notes.push({ kind: 'priority-zero', detail: 'received priority 0 advertisement' });
  return { ok: true, advert, notes };
}
