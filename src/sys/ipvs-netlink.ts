// The IPVS generic netlink messages (include/uapi/linux/ip_vs.h; shared/reference/ipvs.md §7):
// requests as a command plus attributes, replies decoded into plain records. Byte orders follow
// the kernel: ports (service, destination, GUE tunnel) in network order, an IPv4 persistence
// mask as its four bytes in network order, everything else host order — timeouts, flags, an
// IPv6 prefix length, the sync daemon's mcast port. Addresses go out as 4 or 16 bytes and come
// back as the 16-byte union nf_inet_addr. Pure: decoders take kernel bytes and return verdicts,
// never throwing; encoders take values the caller validated (an unparsable address is a bug).

import { endianness } from 'node:os';
import type { Family } from '../lib/inet.js';
import { NlaWriter } from './nla-writer.js';
import { addressBytes, addressText, AF_INET, AF_INET6 } from './rtnl-attrs.js';
import { decodeAttrs, type DecodeReason, type RtAttr } from './rtnl-codec.js';
import type { GenlMessage } from './genl-codec.js';

const LE = endianness() === 'LE';

export const IPVS_GENL_NAME = 'IPVS';
export const IPVS_GENL_VERSION = 1;

export const IPVS_CMD = {
  NEW_SERVICE: 1,
  SET_SERVICE: 2,
  DEL_SERVICE: 3,
  GET_SERVICE: 4,
  NEW_DEST: 5,
  SET_DEST: 6,
  DEL_DEST: 7,
  GET_DEST: 8,
  NEW_DAEMON: 9,
  DEL_DAEMON: 10,
  GET_DAEMON: 11,
  SET_CONFIG: 12,
  GET_CONFIG: 13,
  SET_INFO: 14,
  GET_INFO: 15,
  ZERO: 16,
  FLUSH: 17,
} as const;

export const IPVS_CMD_ATTR = {
  SERVICE: 1,
  DEST: 2,
  DAEMON: 3,
  TIMEOUT_TCP: 4,
  TIMEOUT_TCP_FIN: 5,
  TIMEOUT_UDP: 6,
} as const;

export const IPVS_SVC_ATTR = {
  AF: 1,
  PROTOCOL: 2,
  ADDR: 3,
  PORT: 4,
  FWMARK: 5,
  SCHED_NAME: 6,
  FLAGS: 7,
  TIMEOUT: 8,
  NETMASK: 9,
  STATS: 10,
  PE_NAME: 11,
  STATS64: 12,
} as const;

export const IPVS_DEST_ATTR = {
  ADDR: 1,
  PORT: 2,
  FWD_METHOD: 3,
  WEIGHT: 4,
  U_THRESH: 5,
  L_THRESH: 6,
  ACTIVE_CONNS: 7,
  INACT_CONNS: 8,
  PERSIST_CONNS: 9,
  STATS: 10,
  ADDR_FAMILY: 11,
  STATS64: 12,
  TUN_TYPE: 13,
  TUN_PORT: 14,
  TUN_FLAGS: 15,
} as const;

export const IPVS_DAEMON_ATTR = {
  STATE: 1,
  MCAST_IFN: 2,
  SYNC_ID: 3,
  SYNC_MAXLEN: 4,
  MCAST_GROUP: 5,
  MCAST_GROUP6: 6,
  MCAST_PORT: 7,
  MCAST_TTL: 8,
} as const;

/** In STATS the counts and rates are u32 and the byte counters u64; in STATS64 all are u64. */
export const IPVS_STATS_ATTR = {
  CONNS: 1,
  INPKTS: 2,
  OUTPKTS: 3,
  INBYTES: 4,
  OUTBYTES: 5,
  CPS: 6,
  INPPS: 7,
  OUTPPS: 8,
  INBPS: 9,
  OUTBPS: 10,
  PAD: 11,
} as const;

export const IPVS_INFO_ATTR = { VERSION: 1, CONN_TAB_SIZE: 2 } as const;

/** IP_VS_SVC_F_*: service flags. The kernel sets HASHED itself. */
export const IP_VS_SVC_F = {
  PERSISTENT: 0x1,
  HASHED: 0x2,
  ONEPACKET: 0x4,
  SCHED1: 0x8,
  SCHED2: 0x10,
  SCHED3: 0x20,
} as const;

/** IP_VS_CONN_F_* forwarding methods (conn_flags & IP_VS_CONN_F_FWD_MASK). */
export const IP_VS_FWD = { MASQ: 0, LOCALNODE: 1, TUNNEL: 2, DROUTE: 3, BYPASS: 4 } as const;
export const IP_VS_TUNNEL_TYPE = { IPIP: 0, GUE: 1, GRE: 2 } as const;
/** IP_VS_TUNNEL_ENCAP_FLAG_*: 0 is "nocsum". */
export const IP_VS_TUNNEL_FLAG = { NOCSUM: 0, CSUM: 1, REMCSUM: 2 } as const;
/** IP_VS_STATE_*: which sync daemon. */
export const IP_VS_STATE = { MASTER: 1, BACKUP: 2 } as const;

/** A service's identity: a fwmark (non-zero), or protocol, address and port. */
export interface IpvsServiceKey {
  readonly family: Family;
  /** Non-zero: a fwmark service; protocol, address and port are then 0, '' and 0. */
  readonly fwmark: number;
  /** IPPROTO_TCP 6, IPPROTO_UDP 17, IPPROTO_SCTP 132. */
  readonly protocol: number;
  readonly address: string;
  readonly port: number;
}

/** What NEW_SERVICE and SET_SERVICE carry besides the key. */
export interface IpvsServiceSpec extends IpvsServiceKey {
  readonly scheduler: string;
  /** IP_VS_SVC_F_* bits. */
  readonly flags: number;
  /** Persistence timeout, seconds. */
  readonly timeout: number;
  /** IPv4: the mask as a 32-bit number (0xffffffff for /32); IPv6: a prefix length. */
  readonly netmask: number;
  readonly pe?: string;
}

export interface IpvsStats {
  readonly conns: number;
  readonly inpkts: number;
  readonly outpkts: number;
  readonly inbytes: number;
  readonly outbytes: number;
  readonly cps: number;
  readonly inpps: number;
  readonly outpps: number;
  readonly inbps: number;
  readonly outbps: number;
}

export interface IpvsService extends IpvsServiceSpec {
  readonly stats: IpvsStats;
}

export interface IpvsDestKey {
  /** May differ from the service's only for tunnels. */
  readonly family: Family;
  readonly address: string;
  readonly port: number;
}

export interface IpvsDestSpec extends IpvsDestKey {
  /** IP_VS_FWD value. */
  readonly fwdMethod: number;
  readonly weight: number;
  readonly uThreshold: number;
  readonly lThreshold: number;
  /** Tunnels only: IP_VS_TUNNEL_TYPE, the GUE port and IP_VS_TUNNEL_FLAG bits. */
  readonly tunType?: number;
  readonly tunPort?: number;
  readonly tunFlags?: number;
}

export interface IpvsDest extends IpvsDestSpec {
  readonly activeConns: number;
  readonly inactConns: number;
  readonly persistConns: number;
  readonly stats: IpvsStats;
}

export interface IpvsDaemon {
  readonly state: 'master' | 'backup';
  readonly mcastInterface: string;
  readonly syncId: number;
  readonly syncMaxlen?: number;
  readonly mcastGroup?: string;
  readonly mcastPort?: number;
  readonly mcastTtl?: number;
}

/** Seconds; in a SET_CONFIG request 0 leaves a value as it is. */
export interface IpvsTimeouts {
  readonly tcp: number;
  readonly tcpfin: number;
  readonly udp: number;
}

export interface IpvsInfo {
  /** (major << 16) | (minor << 8) | patch: 0x010201 for "1.2.1". */
  readonly version: number;
  readonly connTabSize: number;
}

/** One IPVS request: what ipvsadm/libipvs can ask the kernel. */
export type IpvsRequest =
  | { readonly op: 'new-service' | 'set-service'; readonly service: IpvsServiceSpec }
  | { readonly op: 'del-service' | 'get-service'; readonly service: IpvsServiceKey }
  | { readonly op: 'get-services' }
  | {
      readonly op: 'new-dest' | 'set-dest';
      readonly service: IpvsServiceKey;
      readonly dest: IpvsDestSpec;
    }
  | { readonly op: 'del-dest'; readonly service: IpvsServiceKey; readonly dest: IpvsDestKey }
  | { readonly op: 'get-dests'; readonly service: IpvsServiceKey }
  | { readonly op: 'new-daemon'; readonly daemon: IpvsDaemon }
  | { readonly op: 'del-daemon'; readonly state: 'master' | 'backup' }
  | { readonly op: 'get-daemons' }
  | { readonly op: 'set-config'; readonly timeouts: IpvsTimeouts }
  | { readonly op: 'get-config' }
  | { readonly op: 'get-info' }
  | { readonly op: 'zero'; readonly service?: IpvsServiceKey }
  | { readonly op: 'flush' };

export interface EncodedRequest {
  readonly cmd: number;
  /** The request's attributes, encoded (what follows the genl header). */
  readonly attrs: Uint8Array;
  /** Sent with NLM_F_DUMP (a listing), else with NLM_F_ACK. */
  readonly dump: boolean;
}

export type IpvsDecodeReason = DecodeReason | 'missing-attr' | 'bad-command';
export type IpvsDecoded<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: IpvsDecodeReason };

// ---- encoding -------------------------------------------------------------------------------

function afNumber(family: Family): number {
  return family === 'inet' ? AF_INET : AF_INET6;
}

function addr(family: Family, text: string): Uint8Array {
  const value = addressBytes(family, text);
  if (value === undefined) throw new TypeError(`not an ${family} address: ${text}`);
  return value;
}

function serviceKeyAttrs(w: NlaWriter, k: IpvsServiceKey): void {
  const S = IPVS_SVC_ATTR;
  w.u16(S.AF, afNumber(k.family));
  if (k.fwmark !== 0) w.u32(S.FWMARK, k.fwmark);
  else
    w.u16(S.PROTOCOL, k.protocol)
      .bytes(S.ADDR, addr(k.family, k.address))
      .u16(S.PORT, k.port, true);
}

function serviceSpecAttrs(w: NlaWriter, s: IpvsServiceSpec): void {
  const S = IPVS_SVC_ATTR;
  serviceKeyAttrs(w, s);
  const flags = new Uint8Array(8);
  const dv = new DataView(flags.buffer);
  dv.setUint32(0, s.flags >>> 0, LE);
  dv.setUint32(4, 0xffffffff, LE); // mask: every flag is set as given
  w.string(S.SCHED_NAME, s.scheduler)
    .bytes(S.FLAGS, flags)
    .u32(S.TIMEOUT, s.timeout)
    .u32(S.NETMASK, s.netmask, s.family === 'inet');
  if (s.pe !== undefined && s.pe !== '') w.string(S.PE_NAME, s.pe);
}

function destKeyAttrs(w: NlaWriter, d: IpvsDestKey): void {
  const D = IPVS_DEST_ATTR;
  w.bytes(D.ADDR, addr(d.family, d.address))
    .u16(D.PORT, d.port, true)
    .u16(D.ADDR_FAMILY, afNumber(d.family));
}

function destSpecAttrs(w: NlaWriter, d: IpvsDestSpec): void {
  const D = IPVS_DEST_ATTR;
  destKeyAttrs(w, d);
  w.u32(D.FWD_METHOD, d.fwdMethod)
    .u32(D.WEIGHT, d.weight)
    .u32(D.U_THRESH, d.uThreshold)
    .u32(D.L_THRESH, d.lThreshold);
  if (d.tunType !== undefined) w.u8(D.TUN_TYPE, d.tunType);
  if (d.tunPort !== undefined) w.u16(D.TUN_PORT, d.tunPort, true);
  if (d.tunFlags !== undefined) w.u16(D.TUN_FLAGS, d.tunFlags);
}

function daemonAttrs(w: NlaWriter, d: IpvsDaemon): void {
  const A = IPVS_DAEMON_ATTR;
  w.u32(A.STATE, d.state === 'master' ? IP_VS_STATE.MASTER : IP_VS_STATE.BACKUP)
    .string(A.MCAST_IFN, d.mcastInterface)
    .u32(A.SYNC_ID, d.syncId);
  if (d.syncMaxlen !== undefined) w.u16(A.SYNC_MAXLEN, d.syncMaxlen);
  if (d.mcastGroup !== undefined) {
    const v6 = d.mcastGroup.includes(':');
    w.bytes(v6 ? A.MCAST_GROUP6 : A.MCAST_GROUP, addr(v6 ? 'inet6' : 'inet', d.mcastGroup));
  }
  if (d.mcastPort !== undefined) w.u16(A.MCAST_PORT, d.mcastPort);
  if (d.mcastTtl !== undefined) w.u8(A.MCAST_TTL, d.mcastTtl);
}

/** The command and attributes of one request. */
export function encodeIpvsRequest(r: IpvsRequest): EncodedRequest {
  const C = IPVS_CMD;
  const A = IPVS_CMD_ATTR;
  const w = new NlaWriter();
  const svc = (k: IpvsServiceKey) => w.nest(A.SERVICE, () => serviceKeyAttrs(w, k));
  const done = (cmd: number, dump = false): EncodedRequest => ({ cmd, attrs: w.finish(), dump });
  switch (r.op) {
    case 'new-service':
    case 'set-service':
      w.nest(A.SERVICE, () => serviceSpecAttrs(w, r.service));
      return done(r.op === 'new-service' ? C.NEW_SERVICE : C.SET_SERVICE);
    case 'del-service':
      svc(r.service);
      return done(C.DEL_SERVICE);
    case 'get-service':
      svc(r.service);
      return done(C.GET_SERVICE);
    case 'get-services':
      return done(C.GET_SERVICE, true);
    case 'new-dest':
    case 'set-dest':
      svc(r.service).nest(A.DEST, () => destSpecAttrs(w, r.dest));
      return done(r.op === 'new-dest' ? C.NEW_DEST : C.SET_DEST);
    case 'del-dest':
      svc(r.service).nest(A.DEST, () => destKeyAttrs(w, r.dest));
      return done(C.DEL_DEST);
    case 'get-dests':
      svc(r.service);
      return done(C.GET_DEST, true);
    case 'new-daemon':
      w.nest(A.DAEMON, () => daemonAttrs(w, r.daemon));
      return done(C.NEW_DAEMON);
    case 'del-daemon': {
      const state = r.state === 'master' ? IP_VS_STATE.MASTER : IP_VS_STATE.BACKUP;
      w.nest(A.DAEMON, () => w.u32(IPVS_DAEMON_ATTR.STATE, state));
      return done(C.DEL_DAEMON);
    }
    case 'get-daemons':
      return done(C.GET_DAEMON, true);
    case 'set-config':
      w.u32(A.TIMEOUT_TCP, r.timeouts.tcp)
        .u32(A.TIMEOUT_TCP_FIN, r.timeouts.tcpfin)
        .u32(A.TIMEOUT_UDP, r.timeouts.udp);
      return done(C.SET_CONFIG);
    case 'get-config':
      return done(C.GET_CONFIG);
    case 'get-info':
      return done(C.GET_INFO);
    case 'zero':
      if (r.service !== undefined) svc(r.service);
      return done(C.ZERO);
    case 'flush':
      return done(C.FLUSH);
  }
}

// ---- decoding -------------------------------------------------------------------------------

/** The attributes of one message, by type (the last of a repeated type wins). */
type AttrMap = ReadonlyMap<number, Uint8Array>;

function byType(attrs: readonly RtAttr[]): AttrMap {
  return new Map(attrs.map((a) => [a.type, a.value]));
}

const view = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);

function getU8(m: AttrMap, t: number): number | undefined {
  const v = m.get(t);
  return v === undefined || v.length < 1 ? undefined : v[0];
}

function getU16(m: AttrMap, t: number, bigEndian = false): number | undefined {
  const v = m.get(t);
  return v === undefined || v.length < 2 ? undefined : view(v).getUint16(0, bigEndian ? false : LE);
}

function getU32(m: AttrMap, t: number, bigEndian = false): number | undefined {
  const v = m.get(t);
  return v === undefined || v.length < 4 ? undefined : view(v).getUint32(0, bigEndian ? false : LE);
}

/** u64 as a number (exact below 2^53, which byte counters reach after ~9 PB). */
function getU64(m: AttrMap, t: number): number | undefined {
  const v = m.get(t);
  return v === undefined || v.length < 8 ? undefined : Number(view(v).getBigUint64(0, LE));
}

function getString(m: AttrMap, t: number): string | undefined {
  const v = m.get(t);
  if (v === undefined) return undefined;
  const nul = v.indexOf(0);
  return new TextDecoder().decode(nul < 0 ? v : v.subarray(0, nul));
}

function familyOf(af: number | undefined): Family | undefined {
  if (af === AF_INET) return 'inet';
  if (af === AF_INET6) return 'inet6';
  return undefined;
}

/** An address attribute: 4 or 16 bytes, of which an IPv4 address uses the first 4. */
function getAddr(m: AttrMap, t: number, family: Family): string | undefined {
  const v = m.get(t);
  if (v === undefined) return undefined;
  const want = family === 'inet' ? 4 : 16;
  return v.length < want ? undefined : addressText(v.subarray(0, want));
}

function nestedMap(m: AttrMap, t: number): IpvsDecoded<AttrMap> | undefined {
  const v = m.get(t);
  if (v === undefined) return undefined;
  const attrs = decodeAttrs(v);
  return attrs.ok ? { ok: true, value: byType(attrs.value) } : attrs;
}

const ZERO_STATS: IpvsStats = {
  conns: 0,
  inpkts: 0,
  outpkts: 0,
  inbytes: 0,
  outbytes: 0,
  cps: 0,
  inpps: 0,
  outpps: 0,
  inbps: 0,
  outbps: 0,
};

/** STATS64 when the kernel sent it (4.x and later), else STATS; zeros when neither parses. */
function getStats(m: AttrMap, stats: number, stats64: number): IpvsStats {
  const S = IPVS_STATS_ATTR;
  const wide = nestedMap(m, stats64);
  if (wide?.ok === true) {
    const w = wide.value;
    const g = (t: number): number => getU64(w, t) ?? 0;
    return {
      conns: g(S.CONNS),
      inpkts: g(S.INPKTS),
      outpkts: g(S.OUTPKTS),
      inbytes: g(S.INBYTES),
      outbytes: g(S.OUTBYTES),
      cps: g(S.CPS),
      inpps: g(S.INPPS),
      outpps: g(S.OUTPPS),
      inbps: g(S.INBPS),
      outbps: g(S.OUTBPS),
    };
  }
  const narrow = nestedMap(m, stats);
  if (narrow?.ok !== true) return ZERO_STATS;
  const n = narrow.value;
  const g = (t: number): number => getU32(n, t) ?? 0;
  return {
    conns: g(S.CONNS),
    inpkts: g(S.INPKTS),
    outpkts: g(S.OUTPKTS),
    inbytes: getU64(n, S.INBYTES) ?? 0,
    outbytes: getU64(n, S.OUTBYTES) ?? 0,
    cps: g(S.CPS),
    inpps: g(S.INPPS),
    outpps: g(S.OUTPPS),
    inbps: g(S.INBPS),
    outbps: g(S.OUTBPS),
  };
}

const missing = { ok: false, reason: 'missing-attr' } as const;

/** The service inside a SERVICE attribute's bytes (a NEW_SERVICE reply, or a request). */
export function decodeServiceAttrs(bytes: Uint8Array): IpvsDecoded<IpvsService> {
  const attrs = decodeAttrs(bytes);
  if (!attrs.ok) return attrs;
  const S = IPVS_SVC_ATTR;
  const m = byType(attrs.value);
  const family = familyOf(getU16(m, S.AF));
  if (family === undefined) return { ok: false, reason: 'bad-family' };
  const fwmark = getU32(m, S.FWMARK) ?? 0;
  let key: IpvsServiceKey;
  if (fwmark !== 0) key = { family, fwmark, protocol: 0, address: '', port: 0 };
  else {
    const protocol = getU16(m, S.PROTOCOL);
    const address = getAddr(m, S.ADDR, family);
    const port = getU16(m, S.PORT, true);
    if (protocol === undefined || address === undefined || port === undefined) return missing;
    key = { family, fwmark: 0, protocol, address, port };
  }
  const scheduler = getString(m, S.SCHED_NAME);
  const flagBytes = m.get(S.FLAGS);
  const timeout = getU32(m, S.TIMEOUT);
  const netmask = getU32(m, S.NETMASK, family === 'inet');
  if (scheduler === undefined || flagBytes === undefined || flagBytes.length < 8) return missing;
  if (timeout === undefined || netmask === undefined) return missing;
  const pe = getString(m, S.PE_NAME);
  return {
    ok: true,
    value: {
      ...key,
      scheduler,
      flags: view(flagBytes).getUint32(0, LE),
      timeout,
      netmask,
      ...(pe === undefined || pe === '' ? {} : { pe }),
      stats: getStats(m, S.STATS, S.STATS64),
    },
  };
}

/** The destination inside a DEST attribute's bytes; `serviceFamily` when ADDR_FAMILY is absent. */
export function decodeDestAttrs(bytes: Uint8Array, serviceFamily: Family): IpvsDecoded<IpvsDest> {
  const attrs = decodeAttrs(bytes);
  if (!attrs.ok) return attrs;
  const D = IPVS_DEST_ATTR;
  const m = byType(attrs.value);
  const af = getU16(m, D.ADDR_FAMILY);
  const family = af === undefined ? serviceFamily : familyOf(af);
  if (family === undefined) return { ok: false, reason: 'bad-family' };
  const address = getAddr(m, D.ADDR, family);
  const port = getU16(m, D.PORT, true);
  const fwdMethod = getU32(m, D.FWD_METHOD);
  const weight = getU32(m, D.WEIGHT);
  if (address === undefined || port === undefined) return missing;
  if (fwdMethod === undefined || weight === undefined) return missing;
  const tunType = getU8(m, D.TUN_TYPE);
  const tunPort = getU16(m, D.TUN_PORT, true);
  const tunFlags = getU16(m, D.TUN_FLAGS);
  return {
    ok: true,
    value: {
      family,
      address,
      port,
      fwdMethod,
      // The kernel reads the weight as an int and refuses negatives, so it is never above 2^31.
      weight,
      uThreshold: getU32(m, D.U_THRESH) ?? 0,
      lThreshold: getU32(m, D.L_THRESH) ?? 0,
      ...(tunType === undefined ? {} : { tunType }),
      ...(tunPort === undefined ? {} : { tunPort }),
      ...(tunFlags === undefined ? {} : { tunFlags }),
      activeConns: getU32(m, D.ACTIVE_CONNS) ?? 0,
      inactConns: getU32(m, D.INACT_CONNS) ?? 0,
      persistConns: getU32(m, D.PERSIST_CONNS) ?? 0,
      stats: getStats(m, D.STATS, D.STATS64),
    },
  };
}

/** The sync daemon inside a DAEMON attribute's bytes. */
export function decodeDaemonAttrs(bytes: Uint8Array): IpvsDecoded<IpvsDaemon> {
  const attrs = decodeAttrs(bytes);
  if (!attrs.ok) return attrs;
  const A = IPVS_DAEMON_ATTR;
  const m = byType(attrs.value);
  const state = getU32(m, A.STATE);
  const mcastInterface = getString(m, A.MCAST_IFN);
  const syncId = getU32(m, A.SYNC_ID);
  if (state !== IP_VS_STATE.MASTER && state !== IP_VS_STATE.BACKUP) return missing;
  if (mcastInterface === undefined || syncId === undefined) return missing;
  const syncMaxlen = getU16(m, A.SYNC_MAXLEN);
  const mcastGroup = getAddr(m, A.MCAST_GROUP6, 'inet6') ?? getAddr(m, A.MCAST_GROUP, 'inet');
  const mcastPort = getU16(m, A.MCAST_PORT);
  const mcastTtl = getU8(m, A.MCAST_TTL);
  return {
    ok: true,
    value: {
      state: state === IP_VS_STATE.MASTER ? 'master' : 'backup',
      mcastInterface,
      syncId,
      ...(syncMaxlen === undefined ? {} : { syncMaxlen }),
      ...(mcastGroup === undefined ? {} : { mcastGroup }),
      ...(mcastPort === undefined ? {} : { mcastPort }),
      ...(mcastTtl === undefined ? {} : { mcastTtl }),
    },
  };
}

function nestedOf(msg: GenlMessage, cmd: number, attr: number): IpvsDecoded<Uint8Array> {
  if (msg.cmd !== cmd) return { ok: false, reason: 'bad-command' };
  const v = msg.attrs.find((a) => a.type === attr)?.value;
  return v === undefined ? missing : { ok: true, value: v };
}

/** A NEW_SERVICE message: one entry of GET_SERVICE's dump or its doit reply. */
export function decodeServiceMessage(msg: GenlMessage): IpvsDecoded<IpvsService> {
  const n = nestedOf(msg, IPVS_CMD.NEW_SERVICE, IPVS_CMD_ATTR.SERVICE);
  return n.ok ? decodeServiceAttrs(n.value) : n;
}

/** A NEW_DEST message of GET_DEST's dump. */
export function decodeDestMessage(msg: GenlMessage, serviceFamily: Family): IpvsDecoded<IpvsDest> {
  const n = nestedOf(msg, IPVS_CMD.NEW_DEST, IPVS_CMD_ATTR.DEST);
  return n.ok ? decodeDestAttrs(n.value, serviceFamily) : n;
}

/** A NEW_DAEMON message of GET_DAEMON's dump. */
export function decodeDaemonMessage(msg: GenlMessage): IpvsDecoded<IpvsDaemon> {
  const n = nestedOf(msg, IPVS_CMD.NEW_DAEMON, IPVS_CMD_ATTR.DAEMON);
  return n.ok ? decodeDaemonAttrs(n.value) : n;
}

/** GET_CONFIG's reply (a SET_CONFIG message with the three timeouts). */
export function decodeConfigMessage(msg: GenlMessage): IpvsDecoded<IpvsTimeouts> {
  if (msg.cmd !== IPVS_CMD.SET_CONFIG) return { ok: false, reason: 'bad-command' };
  const m = byType(msg.attrs);
  const A = IPVS_CMD_ATTR;
  const tcp = getU32(m, A.TIMEOUT_TCP);
  const tcpfin = getU32(m, A.TIMEOUT_TCP_FIN);
  const udp = getU32(m, A.TIMEOUT_UDP);
  if (tcp === undefined || tcpfin === undefined || udp === undefined) return missing;
  return { ok: true, value: { tcp, tcpfin, udp } };
}

/** GET_INFO's reply (a SET_INFO message). */
export function decodeInfoMessage(msg: GenlMessage): IpvsDecoded<IpvsInfo> {
  if (msg.cmd !== IPVS_CMD.SET_INFO) return { ok: false, reason: 'bad-command' };
  const m = byType(msg.attrs);
  const version = getU32(m, IPVS_INFO_ATTR.VERSION);
  const connTabSize = getU32(m, IPVS_INFO_ATTR.CONN_TAB_SIZE);
  if (version === undefined || connTabSize === undefined) return missing;
  return { ok: true, value: { version, connTabSize } };
}

/** "1.2.1" from 0x010201. */
export function ipvsVersionText(version: number): string {
  return `${(version >>> 16) & 0xff}.${(version >>> 8) & 0xff}.${version & 0xff}`;
}

/** A service's identity as text, for maps: `FWM|inet|5` or `6|inet|10.0.0.1|80`. */
export function ipvsServiceId(k: IpvsServiceKey): string {
  return k.fwmark !== 0
    ? `FWM|${k.family}|${k.fwmark}`
    : `${k.protocol}|${k.family}|${k.address}|${k.port}`;
}
