// IPVS replies (shared/reference/ipvs.md §7) into plain records: services, destinations, sync
// daemons, timeouts, version. Kernel bytes in, verdicts out: nothing here throws, whatever the
// input. Addresses arrive as the 16-byte union nf_inet_addr; STATS64 is preferred to STATS.

import { endianness } from 'node:os';
import type { Family } from '../lib/inet.js';
import type { GenlMessage } from './genl-codec.js';
import {
  IP_VS_STATE,
  IPVS_CMD,
  IPVS_CMD_ATTR,
  IPVS_DAEMON_ATTR,
  IPVS_DEST_ATTR,
  IPVS_INFO_ATTR,
  IPVS_STATS_ATTR,
  IPVS_SVC_ATTR,
  type IpvsDaemon,
  type IpvsDecoded,
  type IpvsDest,
  type IpvsInfo,
  type IpvsService,
  type IpvsServiceKey,
  type IpvsStats,
  type IpvsTimeouts,
} from './ipvs-netlink.js';
import { addressText, AF_INET, AF_INET6 } from './rtnl-attrs.js';
import { decodeAttrs, type RtAttr } from './rtnl-codec.js';

const LE = endianness() === 'LE';

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

/** Counters of an object the kernel sent no statistics for. */
export const ZERO_STATS: IpvsStats = {
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
