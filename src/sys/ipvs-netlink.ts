// The IPVS generic netlink vocabulary (include/uapi/linux/ip_vs.h; shared/reference/ipvs.md §7):
// commands, attributes and flags, and the plain records requests are made of and replies decode
// into. Byte orders follow the kernel: ports (service, destination, GUE tunnel) in network
// order, an IPv4 persistence mask as its four bytes in network order, everything else host
// order — timeouts, flags, an IPv6 prefix length, the sync daemon's mcast port. Addresses go out
// as 4 or 16 bytes and come back as the 16-byte union nf_inet_addr. ipvs-encode.ts writes
// requests, ipvs-decode.ts reads replies.

import type { Family } from '../lib/inet.js';
import type { DecodeReason } from './rtnl-codec.js';

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
