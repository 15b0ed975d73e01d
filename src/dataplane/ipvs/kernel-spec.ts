// Between tandem's table vocabulary (ServiceSnapshot, DestSnapshot: protocol names, dotted masks,
// method names) and the kernel's (IpvsServiceSpec, IpvsDestSpec: protocol numbers, mask
// numbers, IP_VS_CONN_F_* values), both ways: what to program for a snapshot, how a kernel
// record reads as a snapshot (tandemadm on the kernel), and when two specs are the same to the
// kernel (so a sync sends nothing for what did not change).

import type { ServiceKey } from '../../ipvs/index.js';
import { ipv4ToNumber, numberToIpv4 } from '../../lib/inet.js';
import type {
  DestSnapshot,
  ForwardMethod,
  RateSnapshot,
  ServiceFlags,
  ServiceProtocol,
  ServiceSnapshot,
  StatsSnapshot,
  TunnelInfo,
} from '../../ipvs/snapshot.js';
import {
  IP_VS_FWD,
  IP_VS_SVC_F,
  IP_VS_TUNNEL_FLAG,
  IP_VS_TUNNEL_TYPE,
  ipvsServiceId,
  type IpvsDest,
  type IpvsDestKey,
  type IpvsDestSpec,
  type IpvsService,
  type IpvsServiceKey,
  type IpvsServiceSpec,
  type IpvsStats,
} from '../../sys/ipvs-netlink.js';

const PROTO: Readonly<Record<ServiceProtocol, number>> = { TCP: 6, UDP: 17, SCTP: 132 };

const FWD: Readonly<Record<ForwardMethod, number>> = {
  masq: IP_VS_FWD.MASQ,
  local: IP_VS_FWD.LOCALNODE,
  tunnel: IP_VS_FWD.TUNNEL,
  route: IP_VS_FWD.DROUTE,
};

const TUN_TYPE: Readonly<Record<TunnelInfo['type'], number>> = {
  ipip: IP_VS_TUNNEL_TYPE.IPIP,
  gue: IP_VS_TUNNEL_TYPE.GUE,
  gre: IP_VS_TUNNEL_TYPE.GRE,
};

const TUN_CSUM: Readonly<Record<NonNullable<TunnelInfo['csum']>, number>> = {
  nocsum: IP_VS_TUNNEL_FLAG.NOCSUM,
  csum: IP_VS_TUNNEL_FLAG.CSUM,
  remcsum: IP_VS_TUNNEL_FLAG.REMCSUM,
};

/** The flags tandem sets; HASHED is the kernel's own. */
const SETTABLE_FLAGS = ~IP_VS_SVC_F.HASHED >>> 0;

export function protocolNumber(p: ServiceProtocol): number {
  return PROTO[p];
}

export function protocolName(n: number): ServiceProtocol | undefined {
  return n === 6 ? 'TCP' : n === 17 ? 'UDP' : n === 132 ? 'SCTP' : undefined;
}

export function forwardNumber(m: ForwardMethod): number {
  return FWD[m];
}

/** The method ipvsadm shows for an IP_VS_CONN_F_* value (BYPASS and unknowns as Route). */
export function forwardName(n: number): ForwardMethod {
  return n === IP_VS_FWD.MASQ
    ? 'masq'
    : n === IP_VS_FWD.LOCALNODE
      ? 'local'
      : n === IP_VS_FWD.TUNNEL
        ? 'tunnel'
        : 'route';
}

/** The table's key for a kernel service (undefined for a protocol the table cannot hold). */
export function tableKeyOf(k: IpvsServiceKey): ServiceKey | undefined {
  if (k.fwmark !== 0) return { kind: 'fwmark', family: k.family, fwmark: k.fwmark };
  const protocol = protocolName(k.protocol);
  if (protocol === undefined) return undefined;
  return { kind: 'ip', protocol, family: k.family, address: k.address, port: k.port };
}

/** The kernel's key for a table service key. */
export function kernelKeyOf(k: ServiceKey): IpvsServiceKey {
  if (k.kind === 'fwmark')
    return { family: k.family, fwmark: k.fwmark, protocol: 0, address: '', port: 0 };
  return {
    family: k.family,
    fwmark: 0,
    protocol: PROTO[k.protocol],
    address: k.address,
    port: k.port,
  };
}

export function serviceKeyOfSnapshot(s: ServiceSnapshot): IpvsServiceKey {
  if (s.fwmark !== 0 || s.protocol === undefined || s.address === undefined) {
    return { family: s.family, fwmark: s.fwmark, protocol: 0, address: '', port: 0 };
  }
  return {
    family: s.family,
    fwmark: 0,
    protocol: PROTO[s.protocol],
    address: s.address,
    port: s.port,
  };
}

export function flagsNumber(f: Omit<ServiceFlags, 'hashed'>): number {
  return (
    (f.persistent ? IP_VS_SVC_F.PERSISTENT : 0) |
    (f.onePacket ? IP_VS_SVC_F.ONEPACKET : 0) |
    (f.sched1 ? IP_VS_SVC_F.SCHED1 : 0) |
    (f.sched2 ? IP_VS_SVC_F.SCHED2 : 0) |
    (f.sched3 ? IP_VS_SVC_F.SCHED3 : 0)
  );
}

/** "255.255.255.0" → 0xffffff00 (IPv4); "64" → 64 (IPv6). */
export function netmaskNumber(family: 'inet' | 'inet6', text: string): number {
  return family === 'inet' ? ipv4ToNumber(text) : Number(text);
}

export function serviceSpecOfSnapshot(s: ServiceSnapshot): IpvsServiceSpec {
  return {
    ...serviceKeyOfSnapshot(s),
    scheduler: s.scheduler,
    flags: flagsNumber(s.flags),
    timeout: s.timeout,
    netmask: netmaskNumber(s.family, s.netmask),
    ...(s.pe === undefined ? {} : { pe: s.pe }),
  };
}

export function destSpecOfSnapshot(d: DestSnapshot): IpvsDestSpec {
  const base = {
    family: d.family,
    address: d.address,
    port: d.port,
    fwdMethod: FWD[d.method],
    weight: d.weight,
    uThreshold: d.uThreshold,
    lThreshold: d.lThreshold,
  };
  if (d.method !== 'tunnel') return base;
  const t = d.tunnel ?? { type: 'ipip' };
  return {
    ...base,
    tunType: TUN_TYPE[t.type],
    tunPort: t.port ?? 0,
    tunFlags: TUN_CSUM[t.csum ?? 'nocsum'],
  };
}

export function destId(d: IpvsDestKey): string {
  return `${d.family}|${d.address}|${d.port}`;
}

export { ipvsServiceId as serviceId };

/** Same service settings, as far as the kernel keeps them (HASHED aside). */
export function sameService(a: IpvsServiceSpec, b: IpvsServiceSpec): boolean {
  return (
    a.scheduler === b.scheduler &&
    ((a.flags ^ b.flags) & SETTABLE_FLAGS) === 0 &&
    a.timeout === b.timeout &&
    a.netmask === b.netmask &&
    (a.pe ?? '') === (b.pe ?? '')
  );
}

/**
 * Same destination settings. A kernel that turned a destination on a local address into
 * LOCALNODE keeps it so whatever is sent again, so LOCALNODE matches any wanted method; the
 * tunnel fields matter only for tunnels.
 */
export function sameDest(want: IpvsDestSpec, have: IpvsDestSpec): boolean {
  if (want.weight !== have.weight) return false;
  if (want.uThreshold !== have.uThreshold || want.lThreshold !== have.lThreshold) return false;
  if (have.fwdMethod === IP_VS_FWD.LOCALNODE) return true;
  if (want.fwdMethod !== have.fwdMethod) return false;
  if (want.fwdMethod !== IP_VS_FWD.TUNNEL) return true;
  return (
    (want.tunType ?? 0) === (have.tunType ?? 0) &&
    (want.tunPort ?? 0) === (have.tunPort ?? 0) &&
    (want.tunFlags ?? 0) === (have.tunFlags ?? 0)
  );
}

// ---- kernel records as snapshots (tandemadm on the kernel) ------------------------------------

function statsOf(s: IpvsStats): StatsSnapshot {
  return {
    conns: s.conns,
    inpkts: s.inpkts,
    outpkts: s.outpkts,
    inbytes: s.inbytes,
    outbytes: s.outbytes,
  };
}

function ratesOf(s: IpvsStats): RateSnapshot {
  return { cps: s.cps, inpps: s.inpps, outpps: s.outpps, inbps: s.inbps, outbps: s.outbps };
}

function tunnelOf(d: IpvsDest): TunnelInfo | undefined {
  if (d.fwdMethod !== IP_VS_FWD.TUNNEL) return undefined;
  const type =
    d.tunType === IP_VS_TUNNEL_TYPE.GUE
      ? 'gue'
      : d.tunType === IP_VS_TUNNEL_TYPE.GRE
        ? 'gre'
        : 'ipip';
  const flags = d.tunFlags ?? 0;
  const csum =
    (flags & IP_VS_TUNNEL_FLAG.REMCSUM) !== 0
      ? 'remcsum'
      : (flags & IP_VS_TUNNEL_FLAG.CSUM) !== 0
        ? 'csum'
        : 'nocsum';
  return { type, ...(type === 'gue' ? { port: d.tunPort ?? 0 } : {}), csum };
}

export function destSnapshotOf(d: IpvsDest): DestSnapshot {
  const tunnel = tunnelOf(d);
  return {
    address: d.address,
    family: d.family,
    port: d.port,
    method: forwardName(d.fwdMethod),
    weight: d.weight,
    activeConns: d.activeConns,
    inactConns: d.inactConns,
    persistConns: d.persistConns,
    uThreshold: d.uThreshold,
    lThreshold: d.lThreshold,
    overloaded: false,
    ...(tunnel === undefined ? {} : { tunnel }),
    stats: statsOf(d.stats),
    rates: ratesOf(d.stats),
  };
}

export function serviceSnapshotOf(s: IpvsService, dests: readonly IpvsDest[]): ServiceSnapshot {
  const protocol = s.fwmark === 0 ? protocolName(s.protocol) : undefined;
  return {
    fwmark: s.fwmark,
    family: s.family,
    ...(protocol === undefined ? {} : { protocol, address: s.address }),
    port: s.port,
    scheduler: s.scheduler,
    flags: {
      persistent: (s.flags & IP_VS_SVC_F.PERSISTENT) !== 0,
      hashed: (s.flags & IP_VS_SVC_F.HASHED) !== 0,
      onePacket: (s.flags & IP_VS_SVC_F.ONEPACKET) !== 0,
      sched1: (s.flags & IP_VS_SVC_F.SCHED1) !== 0,
      sched2: (s.flags & IP_VS_SVC_F.SCHED2) !== 0,
      sched3: (s.flags & IP_VS_SVC_F.SCHED3) !== 0,
    },
    timeout: s.timeout,
    netmask: s.family === 'inet' ? numberToIpv4(s.netmask >>> 0) : String(s.netmask),
    ...(s.pe === undefined ? {} : { pe: s.pe }),
    dests: dests.map(destSnapshotOf),
    stats: statsOf(s.stats),
    rates: ratesOf(s.stats),
  };
}
