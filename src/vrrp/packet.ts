// VRRP advertisement codec: RFC 3768 §5 (v2: IPv4 only, 8 bytes of auth data, interval in
// seconds, checksum over the message) and RFC 5798 §5 (v3: IPv4 or IPv6, 12-bit interval in
// centiseconds, checksum with the IP pseudo-header), laid out as keepalived 2.2.7 sends them
// (keepalived.md §2.1). Decoding untrusted bytes never throws: it returns a verdict whose reason
// is one of DECODE_REASONS. Encoding our own values throws RangeError on a programmer error.

import { formatIpv6, ipv6Bytes, parseIp, type Family } from '../lib/inet.js';
import { foldChecksum, onesSum, pseudoHeaderSum } from './checksum.js';

/** Wire constants (RFC 5798 §5.1, §5.2; RFC 3768 §5.2, §5.3.6). */
export const VRRP = {
  PROTOCOL: 112, // IP protocol / next header, RFC 5798 §5.1.1.3
  TTL: 255, // TTL / hop limit a router must send and check, RFC 5798 §5.1.1.3, §5.1.2.3
  MCAST_V4: '224.0.0.18', // RFC 5798 §5.1.1.2
  MCAST_V6: 'ff02::12', // RFC 5798 §5.1.2.2
  TYPE_ADVERTISEMENT: 1, // RFC 5798 §5.2.2; the only type defined
  HEADER_LENGTH: 8, // version/type … checksum, both versions
  AUTH_DATA_LENGTH: 8, // RFC 3768 §5.3.10: always present in v2
  MAX_ADDRESSES: 255, // one byte of Count IPvX Addr
  MAX_ADVERT_INT_CS: 4095, // RFC 5798 §5.2.7: 12 bits of centiseconds
  MAX_ADVERT_INT_V2_S: 255, // RFC 3768 §5.3.7: one byte of seconds
} as const;

/** v2 Auth Type (RFC 3768 §5.3.6; 1 and 2 come from RFC 2338 and are refused by RFC 3768). */
export const VRRP_AUTH = {
  NONE: 0,
  PASS: 1, // simple text password, RFC 2338 §5.3.6.1
  AH: 2, // IP Authentication Header, RFC 2338 §5.3.6.2
} as const;

export interface Advert {
  readonly version: 2 | 3;
  readonly type: 1;
  readonly vrid: number;
  readonly priority: number;
  /** v2: seconds × 100 on decode; encode requires a multiple of 100. */
  readonly advertIntCs: number;
  /** v2 only (v3: 0). */
  readonly authType: 0 | 1 | 2;
  /** v2: 8 bytes (PASS: NUL-padded password); v3: empty. */
  readonly authData: Uint8Array;
  readonly family: Family;
  /** Canonical text, in wire order (keepalived sends its virtual_ipaddress order). */
  readonly addresses: readonly string[];
}

/**
 * Why bytes are not an advert:
 * - too-short: fewer bytes than the header, or than the header's address count (and v2's auth
 *   data) needs;
 * - bad-version: the version nibble is neither 2 nor 3;
 * - bad-type: the type nibble is not 1 (ADVERTISEMENT), RFC 5798 §5.2.2;
 * - ipv6-in-v2: a v2 message arrived over IPv6 (v2 carries only IPv4, RFC 3768 §5.3.5);
 * - bad-auth-type: v2 Auth Type above 2 (keepalived: "Invalid auth type");
 * - auth-ah: v2 Auth Type 2 (IPsec AH). tandem does not implement AH, so it refuses such adverts
 *   instead of decoding a header whose protection it cannot check;
 * - bad-interval: an advert interval of 0, which would make every timer fire at once (tandem
 *   refuses it; keepalived cannot be configured to send it);
 * - bad-checksum: no accepted checksum form matches (see DecodeContext).
 */
export const DECODE_REASONS = [
  'too-short',
  'bad-version',
  'bad-type',
  'ipv6-in-v2',
  'bad-auth-type',
  'auth-ah',
  'bad-interval',
  'bad-checksum',
] as const;
export type AdvertDecodeReason = (typeof DECODE_REASONS)[number];

/** Which checksum form matched; receive turns the unusual ones into notes. */
export type ChecksumForm = 'standard' | 'old-unicast' | 'as-v2' | 'skipped';

export type DecodeResult<T> =
  | {
      readonly ok: true;
      readonly value: T;
      readonly bytesRead: number;
      readonly checksum: ChecksumForm;
    }
  | { readonly ok: false; readonly reason: AdvertDecodeReason };

export interface DecodeContext {
  /** Family of the socket the bytes came from. */
  readonly family: Family;
  /** IP source and destination: v3's pseudo-header. */
  readonly src: string;
  readonly dst: string;
  /** 'skip' when the kernel has verified it (IPv6 raw sockets with IPV6_CHECKSUM). */
  readonly checksum?: 'verify' | 'skip';
  /**
   * Also accept a unicast v3 IPv4 checksum computed with 224.0.0.18 in the pseudo-header, as
   * keepalived before 1.3.6 sent it (`old_unicast_checksum`, keepalived.md §2.1).
   */
  readonly acceptOldUnicast?: boolean;
  /** Also accept a v3 checksum without pseudo-header (`v3_checksum_as_v2`). */
  readonly acceptAsV2?: boolean;
}

/** The number of bytes `a` encodes to (RFC 3768 §5.1: 16 + 4n; RFC 5798 §5.1: 8 + 4n / 16n). */
export function advertLength(a: Pick<Advert, 'version' | 'family' | 'addresses'>): number {
  return messageLength(a.version, a.family, a.addresses.length);
}

function messageLength(version: 2 | 3, family: Family, count: number): number {
  const auth = version === 2 ? VRRP.AUTH_DATA_LENGTH : 0;
  return VRRP.HEADER_LENGTH + (family === 'inet' ? 4 : 16) * count + auth;
}

function addressBytes(text: string, family: Family): Uint8Array {
  const ip = parseIp(text);
  if (ip?.family !== family) throw new RangeError(`not an ${family} address: ${text}`);
  if (family === 'inet') return Uint8Array.from(text.split('.').map(Number));
  return ipv6Bytes(ip.text) ?? new Uint8Array(16);
}

/** Bytes of an IP address text, or undefined (never throws: used on receive paths). */
function ipBytes(text: string): Uint8Array | undefined {
  const ip = parseIp(text);
  if (ip === undefined) return undefined;
  return ip.family === 'inet' ? Uint8Array.from(text.split('.').map(Number)) : ipv6Bytes(ip.text);
}

function checkRange(name: string, v: number, min: number, max: number): void {
  if (!Number.isInteger(v) || v < min || v > max)
    throw new RangeError(`VRRP ${name} ${v} outside ${min}..${max}`);
}

/**
 * The advert as keepalived puts it on the wire. The v3 checksum includes the pseudo-header from
 * `ip` for IPv4 and IPv6 alike: on a raw IPv6 socket the kernel would fill it (IPV6_CHECKSUM),
 * but the UDP transport and the tests need it computed here.
 */
export function encodeAdvert(a: Advert, ip: { src: string; dst: string }): Buffer {
  checkRange('vrid', a.vrid, 1, 255);
  checkRange('priority', a.priority, 0, 255);
  checkRange('address count', a.addresses.length, 0, VRRP.MAX_ADDRESSES);
  if (a.version === 2 && a.family !== 'inet') throw new RangeError('VRRPv2 cannot carry IPv6');
  const buf = Buffer.alloc(advertLength(a));
  buf[0] = (a.version << 4) | a.type;
  buf[1] = a.vrid;
  buf[2] = a.priority;
  buf[3] = a.addresses.length;
  if (a.version === 2) {
    if (a.advertIntCs % 100 !== 0) throw new RangeError('VRRPv2 advert interval is whole seconds');
    checkRange('advert_int', a.advertIntCs / 100, 1, VRRP.MAX_ADVERT_INT_V2_S);
    buf[4] = a.authType;
    buf[5] = a.advertIntCs / 100;
  } else {
    checkRange('advert_int', a.advertIntCs, 1, VRRP.MAX_ADVERT_INT_CS);
    buf.writeUInt16BE(a.advertIntCs, 4); // the 4 reserved bits stay 0 (RFC 5798 §5.2.6)
  }
  let o = VRRP.HEADER_LENGTH;
  for (const text of a.addresses) {
    buf.set(addressBytes(text, a.family), o);
    o += a.family === 'inet' ? 4 : 16;
  }
  if (a.version === 2) buf.set(a.authData.subarray(0, VRRP.AUTH_DATA_LENGTH), o);
  let sum = onesSum(buf);
  if (a.version === 3) {
    const src = addressBytes(ip.src, a.family);
    const dst = addressBytes(ip.dst, a.family);
    sum += pseudoHeaderSum(src, dst, buf.length);
  }
  buf.writeUInt16BE(foldChecksum(sum), 6);
  return buf;
}

function fail(reason: AdvertDecodeReason): { ok: false; reason: AdvertDecodeReason } {
  return { ok: false, reason };
}

/** A folded sum of 0 (or 0xffff before complement) means the checksum field matched. */
function sumOk(sum: number): boolean {
  return foldChecksum(sum) === 0;
}

function checksumForm(
  buf: Uint8Array,
  start: number,
  end: number,
  version: 2 | 3,
  ctx: DecodeContext,
): ChecksumForm | undefined {
  if (ctx.checksum === 'skip') return 'skipped';
  const body = onesSum(buf, start, end);
  if (version === 2) return sumOk(body) ? 'standard' : undefined;
  const src = ipBytes(ctx.src);
  const dst = ipBytes(ctx.dst);
  const length = end - start;
  if (src !== undefined && src.length === dst?.length) {
    if (sumOk(body + pseudoHeaderSum(src, dst, length))) return 'standard';
    if (ctx.acceptOldUnicast === true && src.length === 4 && ctx.dst !== VRRP.MCAST_V4) {
      const mcast = Uint8Array.of(224, 0, 0, 18);
      if (sumOk(body + pseudoHeaderSum(src, mcast, length))) return 'old-unicast';
    }
  }
  if (ctx.acceptAsV2 === true && sumOk(body)) return 'as-v2';
  return undefined;
}

/**
 * Decodes the advert at `offset`. Bytes past the message (Ethernet padding) are left alone;
 * `bytesRead` is the message length the header implies.
 */
export function decodeAdvert(
  buf: Uint8Array,
  ctx: DecodeContext,
  offset = 0,
): DecodeResult<Advert> {
  const avail = buf.length - offset;
  if (offset < 0 || avail < VRRP.HEADER_LENGTH) return fail('too-short');
  const b = (i: number): number => buf[offset + i] ?? 0;
  const version = b(0) >> 4;
  if (version !== 2 && version !== 3) return fail('bad-version');
  if ((b(0) & 0x0f) !== VRRP.TYPE_ADVERTISEMENT) return fail('bad-type');
  if (version === 2 && ctx.family === 'inet6') return fail('ipv6-in-v2');
  const count = b(3);
  const length = messageLength(version, ctx.family, count);
  if (avail < length) return fail('too-short');
  let authType: 0 | 1 | 2 = 0;
  let advertIntCs: number;
  if (version === 2) {
    const t = b(4);
    if (t > 2) return fail('bad-auth-type');
    if (t === VRRP_AUTH.AH) return fail('auth-ah');
    authType = t === 1 ? 1 : 0;
    advertIntCs = b(5) * 100;
  } else {
    advertIntCs = ((b(4) & 0x0f) << 8) | b(5); // the reserved nibble is ignored on receive
  }
  if (advertIntCs === 0) return fail('bad-interval');
  const form = checksumForm(buf, offset, offset + length, version, ctx);
  if (form === undefined) return fail('bad-checksum');
  const size = ctx.family === 'inet' ? 4 : 16;
  const addresses: string[] = [];
  for (let i = 0, o = offset + VRRP.HEADER_LENGTH; i < count; i++, o += size) {
    addresses.push(
      size === 4
        ? `${buf[o] ?? 0}.${buf[o + 1] ?? 0}.${buf[o + 2] ?? 0}.${buf[o + 3] ?? 0}`
        : formatIpv6(buf.subarray(o, o + 16)),
    );
  }
  const authStart = offset + VRRP.HEADER_LENGTH + size * count;
  const authData =
    version === 2
      ? Uint8Array.from(buf.subarray(authStart, authStart + VRRP.AUTH_DATA_LENGTH))
      : new Uint8Array(0);
  const value: Advert = {
    version,
    type: VRRP.TYPE_ADVERTISEMENT,
    vrid: b(1),
    priority: b(2),
    advertIntCs,
    authType,
    authData,
    family: ctx.family,
    addresses,
  };
  return { ok: true, value, bytesRead: length, checksum: form };
}
