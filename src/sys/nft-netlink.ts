// Reading nf_tables objects over NETLINK_NETFILTER (include/uapi/linux/netfilter/nf_tables.h),
// without libnftables: its `list` commands load every element of every set in the namespace
// first (nft 1.0.6), which with a DR flow map of 100k entries takes a second or more. The
// data plane reads its counters every second, so it asks the kernel for exactly what it needs:
// the counter objects of one table (NFT_MSG_GETOBJ dump filtered by table and type), the
// elements of one map (NFT_MSG_GETSETELEM dump), and the table list (NFT_MSG_GETTABLE dump).
// Decoders take bytes the kernel sent and never throw; an undecodable reply is a failure value.

import { endianness } from 'node:os';
import { closeNetlink, openNetlink, rtnlRequest, type RtnlFailure } from './netlink.js';
import { NLM_F, decodeAttrs, type NlMessage, type RtAttr } from './rtnl-codec.js';

const NETLINK_NETFILTER = 12;
/** NFNL_SUBSYS_NFTABLES (linux/netfilter/nfnetlink.h): message type = subsys << 8 | msg. */
const NFNL_SUBSYS_NFTABLES = 10;
/** enum nf_tables_msg_types. */
export const NFT_MSG = { GETTABLE: 1, GETSETELEM: 13, GETOBJ: 19 } as const;
/** NFPROTO_* (linux/netfilter.h). */
export const NFPROTO = { inet: 1, ip: 2, arp: 3, netdev: 5, bridge: 7, ip6: 10 } as const;
export type NftFamilyName = keyof typeof NFPROTO;

const NFTA_TABLE_NAME = 1;
const NFTA_OBJ = { TABLE: 1, NAME: 2, TYPE: 3, DATA: 4 } as const;
const NFT_OBJECT_COUNTER = 1;
const NFTA_COUNTER = { BYTES: 1, PACKETS: 2 } as const;
const NFTA_SET_ELEM_LIST = { TABLE: 1, SET: 2, ELEMENTS: 3 } as const;
const NFTA_LIST_ELEM = 1;
const NFTA_SET_ELEM_DATA = 2;
/** Milliseconds the element has left (be64), present on elements of a set with timeouts. */
const NFTA_SET_ELEM_EXPIRATION = 5;
const NFTA_DATA_VALUE = 1;
/** struct nfgenmsg: family, version (NFNETLINK_V0), res_id (big-endian, 0). */
const NFGENMSG_LEN = 4;

const LE = endianness() === 'LE';

export type NftDump<T> = { readonly ok: true; readonly value: T } | RtnlFailure;

function nfgenmsg(family: number): Uint8Array {
  return Uint8Array.of(family, 0, 0, 0);
}

function str(type: number, s: string): RtAttr {
  const t = new TextEncoder().encode(s);
  const value = new Uint8Array(t.length + 1);
  value.set(t);
  return { type, value };
}

function be32(type: number, n: number): RtAttr {
  const value = new Uint8Array(4);
  new DataView(value.buffer).setUint32(0, n >>> 0, false);
  return { type, value };
}

function text0(v: Uint8Array | undefined): string | undefined {
  if (v === undefined) return undefined;
  const nul = v.indexOf(0);
  return new TextDecoder().decode(nul < 0 ? v : v.subarray(0, nul));
}

const find = (attrs: readonly RtAttr[], type: number): Uint8Array | undefined =>
  attrs.find((a) => a.type === type)?.value;

function be64(v: Uint8Array | undefined): number | undefined {
  if (v?.length !== 8) return undefined;
  return Number(new DataView(v.buffer, v.byteOffset, 8).getBigUint64(0, false));
}

/** A message's attributes after its nfgenmsg, or undefined when garbled. */
function attrsOf(m: NlMessage): readonly RtAttr[] | undefined {
  if (m.payload.length < NFGENMSG_LEN) return undefined;
  const a = decodeAttrs(m.payload.subarray(NFGENMSG_LEN));
  return a.ok ? a.value : undefined;
}

const msgType = (msg: number): number => (NFNL_SUBSYS_NFTABLES << 8) | msg;

/** Request bytes' parts (type, body, attributes) for a counter dump of one table. */
export function counterDumpRequest(family: NftFamilyName, table: string) {
  return {
    type: msgType(NFT_MSG.GETOBJ),
    flags: NLM_F.DUMP,
    body: nfgenmsg(NFPROTO[family]),
    attrs: [str(NFTA_OBJ.TABLE, table), be32(NFTA_OBJ.TYPE, NFT_OBJECT_COUNTER)],
  };
}

/** Counter objects (name → packets, bytes) in NFT_MSG_NEWOBJ dump messages. */
export function decodeCounters(
  messages: readonly NlMessage[],
): Map<string, { packets: number; bytes: number }> {
  const out = new Map<string, { packets: number; bytes: number }>();
  for (const m of messages) {
    const attrs = attrsOf(m);
    if (attrs === undefined) continue;
    const name = text0(find(attrs, NFTA_OBJ.NAME));
    const data = find(attrs, NFTA_OBJ.DATA);
    if (name === undefined || data === undefined) continue;
    const inner = decodeAttrs(data);
    if (!inner.ok) continue;
    const packets = be64(find(inner.value, NFTA_COUNTER.PACKETS));
    const bytes = be64(find(inner.value, NFTA_COUNTER.BYTES));
    if (packets !== undefined && bytes !== undefined) out.set(name, { packets, bytes });
  }
  return out;
}

export function setElemDumpRequest(family: NftFamilyName, table: string, set: string) {
  return {
    type: msgType(NFT_MSG.GETSETELEM),
    flags: NLM_F.DUMP,
    body: nfgenmsg(NFPROTO[family]),
    attrs: [str(NFTA_SET_ELEM_LIST.TABLE, table), str(NFTA_SET_ELEM_LIST.SET, set)],
  };
}

/**
 * Calls `fn(start, end)` for each attribute of `type` in bytes [from, to) of `dv` (flag bits
 * masked). Hand-rolled because a flow map dump has one nested attribute tree per flow, 100k
 * of them at a time, and an array per level would cost more than the kernel's dump itself.
 */
function eachAttr(
  dv: DataView,
  from: number,
  to: number,
  type: number,
  fn: (start: number, end: number) => void,
): void {
  let at = from;
  while (at + 4 <= to) {
    const len = dv.getUint16(at, LE);
    if (len < 4 || at + len > to) return;
    if ((dv.getUint16(at + 2, LE) & 0x3fff) === type) fn(at + 4, at + len);
    at += (len + 3) & ~3;
  }
}

/**
 * A map's elements as parallel columns (a flow map dump holds 100k elements at a time, and an
 * object per element would cost more than the decoding): each element's 32-bit data value (a
 * packet mark, host order) and the milliseconds it has left (-1 when it has no timeout).
 */
export interface MapEntries {
  readonly marks: number[];
  readonly expiresMs: number[];
}

/** The elements of a map dump whose data value is 32 bits wide. */
export function decodeMapEntries(messages: readonly NlMessage[]): MapEntries {
  const marks: number[] = [];
  const expiresMs: number[] = [];
  for (const m of messages) {
    if (m.payload.length < NFGENMSG_LEN) continue;
    const dv = new DataView(m.payload.buffer, m.payload.byteOffset, m.payload.byteLength);
    eachAttr(dv, NFGENMSG_LEN, dv.byteLength, NFTA_SET_ELEM_LIST.ELEMENTS, (ls, le) =>
      eachAttr(dv, ls, le, NFTA_LIST_ELEM, (es, ee) => {
        let mark: number | undefined;
        let expires = -1;
        eachAttr(dv, es, ee, NFTA_SET_ELEM_DATA, (ds, de) =>
          eachAttr(dv, ds, de, NFTA_DATA_VALUE, (vs, ve) => {
            if (ve - vs === 4) mark = dv.getUint32(vs, LE);
          }),
        );
        eachAttr(dv, es, ee, NFTA_SET_ELEM_EXPIRATION, (xs, xe) => {
          if (xe - xs === 8) expires = Number(dv.getBigUint64(xs, false));
        });
        if (mark !== undefined) {
          marks.push(mark);
          expiresMs.push(expires);
        }
      }),
    );
  }
  return { marks, expiresMs };
}

export function tableDumpRequest() {
  return { type: msgType(NFT_MSG.GETTABLE), flags: NLM_F.DUMP, body: nfgenmsg(0), attrs: [] };
}

/** Family and name of every table in NFT_MSG_NEWTABLE dump messages. */
export function decodeTables(messages: readonly NlMessage[]): { family: string; name: string }[] {
  const names = new Map<number, string>(Object.entries(NFPROTO).map(([k, v]) => [v, k]));
  const out: { family: string; name: string }[] = [];
  for (const m of messages) {
    const family = names.get(m.payload[0] ?? -1);
    const attrs = attrsOf(m);
    const name = attrs === undefined ? undefined : text0(find(attrs, NFTA_TABLE_NAME));
    if (family !== undefined && name !== undefined) out.push({ family, name });
  }
  return out;
}

const TIMEOUT_MS = 5000;

/**
 * A NETLINK_NETFILTER socket for several dumps in a row (opening one per dump made 1,000 dumps
 * of empty flow maps take 250 ms instead of 160). Close it with closeNftSocket.
 */
export function openNftSocket(): NftDump<number> {
  const r = openNetlink(0, { protocol: NETLINK_NETFILTER, timeoutMs: TIMEOUT_MS });
  return r.ok ? { ok: true, value: r.fd } : r;
}

export function closeNftSocket(fd: number): void {
  closeNetlink(fd);
}

/** Request options: the caller's socket (openNftSocket), else a fresh one per request. */
const via = (fd: number | undefined) =>
  fd === undefined
    ? { protocol: NETLINK_NETFILTER, timeoutMs: TIMEOUT_MS }
    : { protocol: NETLINK_NETFILTER, timeoutMs: TIMEOUT_MS, fd };

export function dumpNftCounters(
  family: NftFamilyName,
  table: string,
  fd?: number,
): NftDump<Map<string, { packets: number; bytes: number }>> {
  const r = rtnlRequest(counterDumpRequest(family, table), via(fd));
  return r.ok ? { ok: true, value: decodeCounters(r.messages) } : r;
}

export function dumpNftMapEntries(
  family: NftFamilyName,
  table: string,
  set: string,
  fd?: number,
): NftDump<MapEntries> {
  const r = rtnlRequest(setElemDumpRequest(family, table, set), via(fd));
  return r.ok ? { ok: true, value: decodeMapEntries(r.messages) } : r;
}

export function dumpNftTables(fd?: number): NftDump<{ family: string; name: string }[]> {
  const r = rtnlRequest(tableDumpRequest(), via(fd));
  return r.ok ? { ok: true, value: decodeTables(r.messages) } : r;
}
