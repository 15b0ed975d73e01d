// IPVS requests (shared/reference/ipvs.md §7): the command of each request and its attributes,
// written with the byte order ip_vs.h gives each field (ipvs-netlink.ts). Encoders take values
// the caller validated: an address that does not parse is a bug and throws.

import { endianness } from 'node:os';
import type { Family } from '../lib/inet.js';
import {
  IP_VS_STATE,
  IPVS_CMD,
  IPVS_CMD_ATTR,
  IPVS_DAEMON_ATTR,
  IPVS_DEST_ATTR,
  IPVS_SVC_ATTR,
  type EncodedRequest,
  type IpvsDaemon,
  type IpvsDestKey,
  type IpvsDestSpec,
  type IpvsRequest,
  type IpvsServiceKey,
  type IpvsServiceSpec,
} from './ipvs-netlink.js';
import { NlaWriter } from './nla-writer.js';
import { addressBytes, AF_INET, AF_INET6 } from './rtnl-attrs.js';

const LE = endianness() === 'LE';

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
