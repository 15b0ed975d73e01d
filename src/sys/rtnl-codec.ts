// rtnetlink wire format: nlmsghdr, the ifaddrmsg / ifinfomsg / rtmsg family headers and rtattr
// TLVs (include/uapi/linux/{netlink,rtnetlink,if_addr,if_link}.h; rtnetlink(7)). Pure functions:
// encoders take plain values, decoders take kernel bytes and return verdicts, never throwing.
// Netlink is host-endian; every multi-byte field is read and written in this host's byte order.

import { endianness } from 'node:os';
import { attrString0 } from './rtnl-attrs.js';

const LE = endianness() === 'LE';

/** Message types (linux/netlink.h NLMSG_*, linux/rtnetlink.h RTM_*). */
export const NLMSG = { NOOP: 1, ERROR: 2, DONE: 3, OVERRUN: 4 } as const;
export const RTM = {
  NEWLINK: 16,
  DELLINK: 17,
  GETLINK: 18,
  NEWADDR: 20,
  DELADDR: 21,
  GETADDR: 22,
  NEWROUTE: 24,
  DELROUTE: 25,
  GETROUTE: 26,
} as const;
/** nlmsg_flags (linux/netlink.h). The GET and NEW modifiers share bit values by design. */
export const NLM_F = {
  REQUEST: 0x1,
  MULTI: 0x2,
  ACK: 0x4,
  DUMP_INTR: 0x10,
  DUMP: 0x300, // ROOT | MATCH
  EXCL: 0x200,
  CREATE: 0x400,
  CAPPED: 0x100, // on NLMSG_ERROR: only the request's header is echoed
  ACK_TLVS: 0x200, // on NLMSG_ERROR: extended-ack attributes follow
} as const;
/** struct nlmsgerr extended-ack attributes (linux/netlink.h). */
const NLMSGERR_ATTR_MSG = 1;

export const NLMSG_HDRLEN = 16;
export const IFADDRMSG_LEN = 8;
export const IFINFOMSG_LEN = 16;
export const RTMSG_LEN = 12;

export interface RtAttr {
  readonly type: number;
  readonly value: Uint8Array;
}

export interface NlMessage {
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
  readonly pid: number;
  /** Bytes after the 16-byte header, up to nlmsg_len. */
  readonly payload: Uint8Array;
}

/** struct ifaddrmsg (linux/if_addr.h). */
export interface IfAddrMsg {
  readonly family: number;
  readonly prefixLength: number;
  readonly flags: number;
  readonly scope: number;
  readonly ifindex: number;
}

/** struct ifinfomsg (linux/rtnetlink.h). */
export interface IfInfoMsg {
  readonly family: number;
  readonly type: number;
  readonly ifindex: number;
  readonly flags: number;
  readonly change: number;
}

/** struct rtmsg (linux/rtnetlink.h). */
export interface RtMsg {
  readonly family: number;
  readonly dstLen: number;
  readonly srcLen: number;
  readonly tos: number;
  readonly table: number;
  readonly protocol: number;
  readonly scope: number;
  readonly type: number;
  readonly flags: number;
}

export type DecodeReason = 'too-short' | 'bad-length' | 'bad-attr-length' | 'bad-family';
export type DecodeResult<T> =
  | { readonly ok: true; readonly value: T; readonly bytesRead: number }
  | { readonly ok: false; readonly reason: DecodeReason };

export interface Parsed<H> {
  readonly header: H;
  readonly attrs: readonly RtAttr[];
}

const align4 = (n: number): number => (n + 3) & ~3;
const view = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);

// ---- encoding -------------------------------------------------------------------------------

export function encodeAttrs(attrs: readonly RtAttr[]): Uint8Array {
  const out = new Uint8Array(attrs.reduce((n, a) => n + align4(4 + a.value.length), 0));
  const dv = view(out);
  let at = 0;
  for (const a of attrs) {
    dv.setUint16(at, 4 + a.value.length, LE);
    dv.setUint16(at + 2, a.type, LE);
    out.set(a.value, at + 4);
    at += align4(4 + a.value.length);
  }
  return out;
}

/** One netlink message: header, family header (`body`, 4-byte aligned) and attributes. */
export function encodeNlMessage(
  h: { readonly type: number; readonly flags: number; readonly seq: number; readonly pid?: number },
  body: Uint8Array,
  attrs: readonly RtAttr[] = [],
): Uint8Array {
  const a = encodeAttrs(attrs);
  const bodyLen = align4(body.length);
  const out = new Uint8Array(NLMSG_HDRLEN + bodyLen + a.length);
  const dv = view(out);
  dv.setUint32(0, out.length, LE);
  dv.setUint16(4, h.type, LE);
  dv.setUint16(6, h.flags, LE);
  dv.setUint32(8, h.seq >>> 0, LE);
  dv.setUint32(12, (h.pid ?? 0) >>> 0, LE);
  out.set(body, NLMSG_HDRLEN);
  out.set(a, NLMSG_HDRLEN + bodyLen);
  return out;
}

export function encodeIfAddrMsg(m: IfAddrMsg): Uint8Array {
  const out = new Uint8Array(IFADDRMSG_LEN);
  out.set([m.family, m.prefixLength, m.flags & 0xff, m.scope]);
  view(out).setUint32(4, m.ifindex >>> 0, LE);
  return out;
}

export function encodeIfInfoMsg(m: IfInfoMsg): Uint8Array {
  const out = new Uint8Array(IFINFOMSG_LEN);
  const dv = view(out);
  out[0] = m.family;
  dv.setUint16(2, m.type, LE);
  dv.setInt32(4, m.ifindex, LE);
  dv.setUint32(8, m.flags >>> 0, LE);
  dv.setUint32(12, m.change >>> 0, LE);
  return out;
}

export function encodeRtMsg(m: RtMsg): Uint8Array {
  const out = new Uint8Array(RTMSG_LEN);
  out.set([m.family, m.dstLen, m.srcLen, m.tos, m.table, m.protocol, m.scope, m.type]);
  view(out).setUint32(8, m.flags >>> 0, LE);
  return out;
}

// ---- decoding -------------------------------------------------------------------------------

/** Split one datagram into its messages (several per datagram in dumps). */
export function decodeNlMessages(buf: Uint8Array): DecodeResult<readonly NlMessage[]> {
  const dv = view(buf);
  const out: NlMessage[] = [];
  let at = 0;
  while (at < buf.length) {
    if (buf.length - at < NLMSG_HDRLEN) return { ok: false, reason: 'too-short' };
    const len = dv.getUint32(at, LE);
    if (len < NLMSG_HDRLEN || at + len > buf.length) return { ok: false, reason: 'bad-length' };
    out.push({
      type: dv.getUint16(at + 4, LE),
      flags: dv.getUint16(at + 6, LE),
      seq: dv.getUint32(at + 8, LE),
      pid: dv.getUint32(at + 12, LE),
      payload: buf.subarray(at + NLMSG_HDRLEN, at + len),
    });
    at += align4(len);
  }
  return { ok: true, value: out, bytesRead: buf.length };
}

/** rtattrs filling `bytes`; the last one may lack its padding, as the kernel sends it. */
export function decodeAttrs(bytes: Uint8Array): DecodeResult<readonly RtAttr[]> {
  const dv = view(bytes);
  const out: RtAttr[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (bytes.length - at < 4) return { ok: false, reason: 'bad-attr-length' };
    const len = dv.getUint16(at, LE);
    if (len < 4 || at + len > bytes.length) return { ok: false, reason: 'bad-attr-length' };
    // NLA_F_NESTED and NLA_F_NET_BYTEORDER live in the top two bits of the type.
    out.push({ type: dv.getUint16(at + 2, LE) & 0x3fff, value: bytes.subarray(at + 4, at + len) });
    at += align4(len);
  }
  return { ok: true, value: out, bytesRead: bytes.length };
}

function withAttrs<H>(payload: Uint8Array, fixed: number, header: H): DecodeResult<Parsed<H>> {
  if (payload.length < fixed) return { ok: false, reason: 'too-short' };
  const attrs = decodeAttrs(payload.subarray(align4(fixed)));
  if (!attrs.ok) return attrs;
  return { ok: true, value: { header, attrs: attrs.value }, bytesRead: payload.length };
}

export function decodeIfAddrMsg(payload: Uint8Array): DecodeResult<Parsed<IfAddrMsg>> {
  if (payload.length < IFADDRMSG_LEN) return { ok: false, reason: 'too-short' };
  const p = payload;
  return withAttrs(payload, IFADDRMSG_LEN, {
    family: p[0] ?? 0,
    prefixLength: p[1] ?? 0,
    flags: p[2] ?? 0,
    scope: p[3] ?? 0,
    ifindex: view(p).getUint32(4, LE),
  });
}

export function decodeIfInfoMsg(payload: Uint8Array): DecodeResult<Parsed<IfInfoMsg>> {
  if (payload.length < IFINFOMSG_LEN) return { ok: false, reason: 'too-short' };
  const dv = view(payload);
  return withAttrs(payload, IFINFOMSG_LEN, {
    family: payload[0] ?? 0,
    type: dv.getUint16(2, LE),
    ifindex: dv.getInt32(4, LE),
    flags: dv.getUint32(8, LE),
    change: dv.getUint32(12, LE),
  });
}

export function decodeRtMsg(payload: Uint8Array): DecodeResult<Parsed<RtMsg>> {
  if (payload.length < RTMSG_LEN) return { ok: false, reason: 'too-short' };
  const p = payload;
  return withAttrs(payload, RTMSG_LEN, {
    family: p[0] ?? 0,
    dstLen: p[1] ?? 0,
    srcLen: p[2] ?? 0,
    tos: p[3] ?? 0,
    table: p[4] ?? 0,
    protocol: p[5] ?? 0,
    scope: p[6] ?? 0,
    type: p[7] ?? 0,
    flags: view(p).getUint32(8, LE),
  });
}

export interface NlError {
  /** 0 for an ACK, else a positive errno. */
  readonly errno: number;
  /** The kernel's extended-ack text (NETLINK_EXT_ACK), when it sent one. */
  readonly message?: string;
}

/** struct nlmsgerr: a negated errno, the request's header (or all of it) and ext-ack TLVs. */
export function decodeNlError(payload: Uint8Array, flags: number): DecodeResult<NlError> {
  if (payload.length < 4 + NLMSG_HDRLEN) return { ok: false, reason: 'too-short' };
  const errno = 0 - view(payload).getInt32(0, LE); // 0 - x: an ACK is 0, not -0
  if ((flags & NLM_F.ACK_TLVS) === 0) return { ok: true, value: { errno }, bytesRead: 4 };
  let at = 4 + NLMSG_HDRLEN;
  if ((flags & NLM_F.CAPPED) === 0) at = 4 + align4(view(payload).getUint32(4, LE));
  if (at > payload.length) return { ok: false, reason: 'bad-length' };
  const tlvs = decodeAttrs(payload.subarray(at));
  if (!tlvs.ok) return tlvs;
  const msg = attrString0(tlvs.value, NLMSGERR_ATTR_MSG);
  const value = msg === undefined ? { errno } : { errno, message: msg };
  return { ok: true, value, bytesRead: payload.length };
}
