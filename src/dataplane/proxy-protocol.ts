// The PROXY protocol header (haproxy doc/proxy-protocol.txt, v1 text §2.1 and v2 binary §2.2):
// the first bytes the proxy data plane writes on each upstream TCP connection, so that nginx or
// HAProxy behind it can log and filter on the real client instead of on us. Encoding runs once
// per connection, so it allocates one Buffer and little else. Decoding is for tests and a future
// accept side: it reads untrusted bytes, so it returns a verdict ('incomplete', 'invalid' with a
// stable reason, or 'ok') and never throws.
//
// Addresses are taken from the text, not the `family` field: Node reports IPv4 clients of a
// dual-stack socket as `::ffff:a.b.c.d`, and those must go out as TCP4. When one end is IPv4
// and the other IPv6 the IPv4 end is mapped into IPv6 (§4.2), as haproxy's sender does. An
// address that cannot be written at all gives the spec's fallback (v1 UNKNOWN, v2 LOCAL).

import { formatIpv6, ipv6Bytes } from '../lib/inet.js';
import { AppError } from '../lib/errors.js';

export type ProxyVersion = 'v1' | 'v2';

export interface ProxyAddresses {
  readonly family: 'inet' | 'inet6';
  readonly protocol: 'TCP' | 'UDP';
  /** The client. */
  readonly sourceAddress: string;
  readonly sourcePort: number;
  /** The virtual address and port the client connected to. */
  readonly destinationAddress: string;
  readonly destinationPort: number;
}

/** A v2 Type-Length-Value vector (§2.2). Decoded values are views into the input bytes. */
export interface ProxyTlv {
  readonly type: number;
  readonly value: Uint8Array;
}

export type ProxyInvalidReason =
  | 'bad-signature' // neither "PROXY" nor the v2 signature
  | 'bad-v1-syntax' // spaces, CR/LF or field count wrong in a v1 line
  | 'too-long' // no CRLF within the 107 bytes a v1 line may use
  | 'bad-family' // unknown v1 protocol word, or v2 family/transport nibble
  | 'bad-address' // an address not in its family's canonical text form (v1)
  | 'bad-port' // a v1 port outside 0..65535 or with leading zeroes
  | 'bad-version' // v2 version nibble other than 2
  | 'bad-command' // v2 command other than LOCAL or PROXY
  | 'bad-length' // v2 length shorter than the address block of its family
  | 'bad-tlv'; // a v2 TLV running past the end of the header

export type ProxyDecodeResult =
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'invalid'; readonly reason: ProxyInvalidReason }
  | {
      readonly kind: 'ok';
      readonly version: ProxyVersion;
      /** v1 UNKNOWN decodes as 'proxy' without addresses: use the connection's own. */
      readonly command: 'proxy' | 'local';
      /** Absent for LOCAL, UNKNOWN, AF_UNSPEC and AF_UNIX. */
      readonly addresses?: ProxyAddresses;
      readonly tlvs: readonly ProxyTlv[];
      /** Bytes the header took; the proxied stream starts here. */
      readonly headerLength: number;
    };

/** §2.2: the 12-byte v2 signature; it holds a NUL, so it is never a C string. */
const PROXY_V2_SIGNATURE: Uint8Array = Uint8Array.of(
  0x0d,
  0x0a,
  0x0d,
  0x0a,
  0x00,
  0x0d,
  0x0a,
  0x51,
  0x55,
  0x49,
  0x54,
  0x0a,
);
/** §2.1: "PROXY" then one space. */
const V1_PREFIX = Uint8Array.of(0x50, 0x52, 0x4f, 0x58, 0x59, 0x20);
/** §2.1: the worst-case v1 line, CRLF included ("PROXY UNKNOWN" with two full IPv6). */
export const PROXY_V1_MAX_LENGTH = 107;
/** §2.2: signature, version/command, family/transport, 16-bit length. */
export const PROXY_V2_HEADER_LENGTH = 16;

/** §2.2, 13th byte: version 2 in the high nibble, the command in the low one. */
const V2_VERSION = 0x20;
const V2_CMD_LOCAL = 0x0;
const V2_CMD_PROXY = 0x1;
/** §2.2, 14th byte: address family (high nibble) and transport (low nibble). */
const V2_FAM_UNSPEC = 0x00;
const V2_TCP4 = 0x11;
const V2_UDP4 = 0x12;
const V2_TCP6 = 0x21;
const V2_UDP6 = 0x22;
const V2_UNIX_STREAM = 0x31;
const V2_UNIX_DGRAM = 0x32;
/** §2.2: address block lengths, 2*4+2*2, 2*16+2*2 and 2*108. */
const V2_ADDR_LEN_INET = 12;
const V2_ADDR_LEN_INET6 = 36;
const V2_ADDR_LEN_UNIX = 216;

/** §2.2 registered TLV types (§2.2.8: 0xE0-0xEF are free for applications). */
export const PP2_TYPE = {
  ALPN: 0x01, // §2.2.1
  AUTHORITY: 0x02, // §2.2.2, the SNI or host name
  CRC32C: 0x03, // §2.2.3
  NOOP: 0x04, // §2.2.4
  UNIQUE_ID: 0x05, // §2.2.5, at most 128 bytes
  SSL: 0x20, // §2.2.6
  NETNS: 0x30, // §2.2.7
  MIN_CUSTOM: 0xe0,
  MAX_CUSTOM: 0xef,
} as const;

const CR = 0x0d;
const LF = 0x0a;
const INCOMPLETE: ProxyDecodeResult = Object.freeze({ kind: 'incomplete' });
const NO_TLVS: readonly ProxyTlv[] = Object.freeze([]);

// ---------------------------------------------------------------------------------- encode

export function encodeProxyHeader(version: ProxyVersion, a: ProxyAddresses | undefined): Buffer {
  switch (version) {
    case 'v1':
      return encodeProxyV1(a);
    case 'v2':
      return encodeProxyV2(a);
  }
}

/** §2.1. v1 names TCP only, so UDP (or no addresses) is `PROXY UNKNOWN\r\n`. */
export function encodeProxyV1(a: ProxyAddresses | undefined): Buffer {
  const e = a?.protocol === 'TCP' ? endpoints(a) : undefined;
  if (e === undefined) return Buffer.from('PROXY UNKNOWN\r\n', 'latin1');
  const line = e.v4
    ? `PROXY TCP4 ${ipv4Text(e.src)} ${ipv4Text(e.dst)} ${e.sport} ${e.dport}\r\n`
    : `PROXY TCP6 ${formatIpv6(e.src)} ${formatIpv6(e.dst)} ${e.sport} ${e.dport}\r\n`;
  return Buffer.from(line, 'latin1');
}

/**
 * §2.2. Without usable addresses the command is LOCAL with family AF_UNSPEC. TLVs follow the
 * addresses in the order given; a type outside 0..255 or a header over 64 KiB is a programmer
 * error and throws ERR_PROXY_BAD_TLV.
 */
export function encodeProxyV2(
  a: ProxyAddresses | undefined,
  tlvs: readonly ProxyTlv[] = NO_TLVS,
): Buffer {
  const e = a === undefined ? undefined : endpoints(a);
  let length = e === undefined ? 0 : e.v4 ? V2_ADDR_LEN_INET : V2_ADDR_LEN_INET6;
  for (const t of tlvs) {
    if (!Number.isInteger(t.type) || t.type < 0 || t.type > 0xff) {
      throw new AppError('ERR_PROXY_BAD_TLV', `PROXY v2 TLV type ${t.type} is not a byte`);
    }
    length += 3 + t.value.length;
  }
  if (length > 0xffff) {
    throw new AppError('ERR_PROXY_BAD_TLV', `PROXY v2 header body of ${length} bytes > 65535`);
  }
  const out = Buffer.allocUnsafe(PROXY_V2_HEADER_LENGTH + length);
  out.set(PROXY_V2_SIGNATURE, 0);
  out.writeUInt16BE(length, 14);
  let at = PROXY_V2_HEADER_LENGTH;
  if (e === undefined) {
    out[12] = V2_VERSION | V2_CMD_LOCAL;
    out[13] = V2_FAM_UNSPEC;
  } else {
    const udp = a?.protocol === 'UDP';
    out[12] = V2_VERSION | V2_CMD_PROXY;
    if (e.v4) {
      out[13] = udp ? V2_UDP4 : V2_TCP4;
      out.writeUInt32BE(e.src, at);
      out.writeUInt32BE(e.dst, at + 4);
      at += 8;
    } else {
      out[13] = udp ? V2_UDP6 : V2_TCP6;
      out.set(e.src, at);
      out.set(e.dst, at + 16);
      at += 32;
    }
    out.writeUInt16BE(e.sport, at);
    out.writeUInt16BE(e.dport, at + 2);
    at += 4;
  }
  for (const t of tlvs) {
    out[at] = t.type;
    out.writeUInt16BE(t.value.length, at + 1);
    out.set(t.value, at + 3);
    at += 3 + t.value.length;
  }
  return out;
}

type Endpoints = { readonly sport: number; readonly dport: number } & (
  | { readonly v4: true; readonly src: number; readonly dst: number }
  | { readonly v4: false; readonly src: Uint8Array; readonly dst: Uint8Array }
);

/** Both ends as IPv4 numbers when both are (mapped) IPv4, else both as IPv6 bytes. */
function endpoints(a: ProxyAddresses): Endpoints | undefined {
  const sport = a.sourcePort;
  const dport = a.destinationPort;
  if (!isPort(sport) || !isPort(dport)) return undefined;
  const src = addressValue(a.sourceAddress);
  const dst = addressValue(a.destinationAddress);
  if (src === undefined || dst === undefined) return undefined;
  if (typeof src === 'number' && typeof dst === 'number') {
    return { v4: true, src, dst, sport, dport };
  }
  return { v4: false, src: asIpv6(src), dst: asIpv6(dst), sport, dport };
}

/** An IPv4 address (plain or IPv4-mapped IPv6) as a number, other IPv6 as 16 bytes. */
function addressValue(text: string): number | Uint8Array | undefined {
  if (!text.includes(':')) {
    const n = ipv4Value(text, 0);
    return n < 0 ? undefined : n;
  }
  // Node's spelling for IPv4 peers of a dual-stack socket; skips the general parser (5x faster).
  if (text.startsWith('::ffff:')) {
    const n = ipv4Value(text, 7);
    if (n >= 0) return n;
  }
  const b = ipv6Bytes(text);
  if (b === undefined) return undefined;
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return b;
  if (b[10] !== 0xff || b[11] !== 0xff) return b;
  return (((b[12] ?? 0) << 24) | ((b[13] ?? 0) << 16) | ((b[14] ?? 0) << 8) | (b[15] ?? 0)) >>> 0;
}

function asIpv6(v: number | Uint8Array): Uint8Array {
  if (typeof v !== 'number') return v;
  const b = new Uint8Array(16);
  b[10] = 0xff;
  b[11] = 0xff;
  new DataView(b.buffer).setUint32(12, v);
  return b;
}

function isPort(p: number): boolean {
  return Number.isInteger(p) && p >= 0 && p <= 0xffff;
}

function ipv4Text(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
}

/**
 * The dotted quad at `from` to the end, as §2.1 writes it (four decimals 0..255, no leading
 * zeroes), to its value, or -1. Hand-rolled so the encoder's hot path does not split strings.
 */
function ipv4Value(text: string, from: number): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (c >= 0x30 && c <= 0x39) {
      if (digits > 0 && octet === 0) return -1;
      octet = octet * 10 + c - 0x30;
      if (octet > 255) return -1;
      digits++;
    } else {
      return -1;
    }
  }
  return dots === 3 && digits > 0 ? value * 256 + octet : -1;
}

// ---------------------------------------------------------------------------------- decode

/** One header at the start of `buf`, v1 or v2 told apart by their first bytes (§2.2 end). */
export function decodeProxyHeader(buf: Uint8Array): ProxyDecodeResult {
  if (buf.length === 0) return INCOMPLETE;
  if (buf[0] === PROXY_V2_SIGNATURE[0]) return decodeV2(buf);
  if (buf[0] === V1_PREFIX[0]) return decodeV1(buf);
  return invalid('bad-signature');
}

function invalid(reason: ProxyInvalidReason): ProxyDecodeResult {
  return { kind: 'invalid', reason };
}

function decodeV1(buf: Uint8Array): ProxyDecodeResult {
  const n = buf.length;
  for (let i = 1; i < V1_PREFIX.length; i++) {
    if (i >= n) return INCOMPLETE;
    if (buf[i] !== V1_PREFIX[i]) return invalid(i < 5 ? 'bad-signature' : 'bad-v1-syntax');
  }
  // §2.1: wait for CRLF, within 107 bytes; a lone CR or LF never ends the line.
  const limit = Math.min(n, PROXY_V1_MAX_LENGTH);
  for (let i = V1_PREFIX.length; i < limit; i++) {
    const c = buf[i];
    if (c === LF) return invalid('bad-v1-syntax');
    if (c !== CR) continue;
    if (i + 2 > PROXY_V1_MAX_LENGTH) return invalid('too-long');
    if (i + 1 >= n) return INCOMPLETE;
    if (buf[i + 1] !== LF) return invalid('bad-v1-syntax');
    return decodeV1Line(buf, i);
  }
  return n >= PROXY_V1_MAX_LENGTH ? invalid('too-long') : INCOMPLETE;
}

/** The words after "PROXY " up to the CR at `end`. */
function decodeV1Line(buf: Uint8Array, end: number): ProxyDecodeResult {
  const text = Buffer.from(buf.buffer, buf.byteOffset + V1_PREFIX.length, end - V1_PREFIX.length);
  const words = text.toString('latin1').split(' ');
  const headerLength = end + 2;
  const proto = words[0];
  // §2.1: after UNKNOWN the receiver ignores whatever precedes the CRLF.
  if (proto === 'UNKNOWN') {
    return { kind: 'ok', version: 'v1', command: 'proxy', tlvs: NO_TLVS, headerLength };
  }
  if (proto !== 'TCP4' && proto !== 'TCP6') {
    return invalid(proto === '' ? 'bad-v1-syntax' : 'bad-family');
  }
  const [, srcText = '', dstText = '', sportText = '', dportText = ''] = words;
  if (words.length !== 5) return invalid('bad-v1-syntax');
  const family = proto === 'TCP4' ? 'inet' : 'inet6';
  const sourceAddress = v1Address(srcText, family);
  const destinationAddress = v1Address(dstText, family);
  if (sourceAddress === undefined || destinationAddress === undefined) {
    return invalid(srcText === '' || dstText === '' ? 'bad-v1-syntax' : 'bad-address');
  }
  const sourcePort = v1Port(sportText);
  const destinationPort = v1Port(dportText);
  if (sourcePort < 0 || destinationPort < 0) {
    return invalid(sportText === '' || dportText === '' ? 'bad-v1-syntax' : 'bad-port');
  }
  const addresses: ProxyAddresses = {
    family,
    protocol: 'TCP',
    sourceAddress,
    sourcePort,
    destinationAddress,
    destinationPort,
  };
  return { kind: 'ok', version: 'v1', command: 'proxy', addresses, tlvs: NO_TLVS, headerLength };
}

/** The canonical text of a v1 address of the advertised family (§2.1), or undefined. */
function v1Address(text: string, family: 'inet' | 'inet6'): string | undefined {
  if (family === 'inet') return ipv4Value(text, 0) < 0 ? undefined : text;
  if (text.includes('%')) return undefined; // a zone index is not part of an address on the wire
  const bytes = ipv6Bytes(text);
  return bytes === undefined ? undefined : formatIpv6(bytes);
}

/** §2.1: a decimal 0..65535 without leading zeroes, or -1. */
function v1Port(text: string): number {
  if (text.length === 0 || text.length > 5 || (text.length > 1 && text.charCodeAt(0) === 0x30)) {
    return -1;
  }
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    n = n * 10 + c - 0x30;
  }
  return n <= 0xffff ? n : -1;
}

function decodeV2(buf: Uint8Array): ProxyDecodeResult {
  const n = buf.length;
  for (let i = 1; i < PROXY_V2_SIGNATURE.length; i++) {
    if (i >= n) return INCOMPLETE;
    if (buf[i] !== PROXY_V2_SIGNATURE[i]) return invalid('bad-signature');
  }
  const verCmd = buf[12];
  if (verCmd === undefined) return INCOMPLETE;
  if ((verCmd & 0xf0) !== V2_VERSION) return invalid('bad-version');
  const cmd = verCmd & 0x0f;
  if (cmd !== V2_CMD_LOCAL && cmd !== V2_CMD_PROXY) return invalid('bad-command');
  const fam = buf[13];
  if (fam === undefined) return INCOMPLETE;
  // §2.2: families above AF_UNIX and transports above DGRAM must be rejected.
  if (fam >> 4 > 3 || (fam & 0x0f) > 2) return invalid('bad-family');
  const hi = buf[14];
  const lo = buf[15];
  if (hi === undefined || lo === undefined) return INCOMPLETE;
  const length = (hi << 8) | lo;
  const headerLength = PROXY_V2_HEADER_LENGTH + length;
  if (n < headerLength) return INCOMPLETE;

  let addrLen = addressBlockLength(fam);
  if (length < addrLen) {
    // §2.2: LOCAL ignores the family; a receiver skips `length` bytes whatever it says.
    if (cmd === V2_CMD_PROXY) return invalid('bad-length');
    addrLen = length;
  }
  const tlvs = decodeTlvs(buf, PROXY_V2_HEADER_LENGTH + addrLen, headerLength);
  if (tlvs === undefined) return invalid('bad-tlv');
  if (cmd === V2_CMD_LOCAL)
    return { kind: 'ok', version: 'v2', command: 'local', tlvs, headerLength };
  const addresses = v2Addresses(buf, fam);
  return addresses === undefined
    ? { kind: 'ok', version: 'v2', command: 'proxy', tlvs, headerLength }
    : { kind: 'ok', version: 'v2', command: 'proxy', addresses, tlvs, headerLength };
}

function addressBlockLength(fam: number): number {
  switch (fam) {
    case V2_TCP4:
    case V2_UDP4:
      return V2_ADDR_LEN_INET;
    case V2_TCP6:
    case V2_UDP6:
      return V2_ADDR_LEN_INET6;
    case V2_UNIX_STREAM:
    case V2_UNIX_DGRAM:
      return V2_ADDR_LEN_UNIX;
    default:
      return 0; // AF_UNSPEC or UNSPEC transport: no address block is defined
  }
}

function v2Addresses(buf: Uint8Array, fam: number): ProxyAddresses | undefined {
  const at = PROXY_V2_HEADER_LENGTH;
  const protocol = (fam & 0x0f) === 1 ? 'TCP' : 'UDP';
  if (fam === V2_TCP4 || fam === V2_UDP4) {
    return {
      family: 'inet',
      protocol,
      sourceAddress: `${buf[at]}.${buf[at + 1]}.${buf[at + 2]}.${buf[at + 3]}`,
      destinationAddress: `${buf[at + 4]}.${buf[at + 5]}.${buf[at + 6]}.${buf[at + 7]}`,
      sourcePort: u16(buf, at + 8),
      destinationPort: u16(buf, at + 10),
    };
  }
  if (fam === V2_TCP6 || fam === V2_UDP6) {
    return {
      family: 'inet6',
      protocol,
      sourceAddress: formatIpv6(buf.subarray(at, at + 16)),
      destinationAddress: formatIpv6(buf.subarray(at + 16, at + 32)),
      sourcePort: u16(buf, at + 32),
      destinationPort: u16(buf, at + 34),
    };
  }
  return undefined;
}

/** §2.2 TLVs between `from` and `end`; undefined if one overruns the header. */
function decodeTlvs(buf: Uint8Array, from: number, end: number): readonly ProxyTlv[] | undefined {
  if (from === end) return NO_TLVS;
  const tlvs: ProxyTlv[] = [];
  let at = from;
  while (at < end) {
    if (at + 3 > end) return undefined;
    const valueEnd = at + 3 + u16(buf, at + 1);
    if (valueEnd > end) return undefined;
    tlvs.push({ type: buf[at] ?? 0, value: buf.subarray(at + 3, valueEnd) });
    at = valueEnd;
  }
  return tlvs;
}

function u16(buf: Uint8Array, at: number): number {
  return ((buf[at] ?? 0) << 8) | (buf[at + 1] ?? 0);
}
