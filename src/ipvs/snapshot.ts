// A read-only picture of the virtual server table, as the kernel's netlink dumps describe it
// (shared/reference/ipvs.md §0, §5, §6.4). Every data plane produces this shape and every
// view (ipvsadm-style renderers, JSON status, metrics) consumes it, so the renderers never
// depend on how a table is stored. Plain data: safe to serialise and send over the control socket.

import type { Family } from '../lib/inet.js';

export type ServiceProtocol = 'TCP' | 'UDP' | 'SCTP';

/** `conn_flags & 7` of the kernel: how packets reach the destination. */
export type ForwardMethod = 'masq' | 'local' | 'tunnel' | 'route';

export interface StatsSnapshot {
  readonly conns: number;
  readonly inpkts: number;
  readonly outpkts: number;
  readonly inbytes: number;
  readonly outbytes: number;
}

/** Rates as the kernel's estimator reports them (per second, bytes for *bps). */
export interface RateSnapshot {
  readonly cps: number;
  readonly inpps: number;
  readonly outpps: number;
  readonly inbps: number;
  readonly outbps: number;
}

export interface TunnelInfo {
  readonly type: 'ipip' | 'gue' | 'gre';
  readonly port?: number;
  readonly csum?: 'nocsum' | 'csum' | 'remcsum';
}

export interface DestSnapshot {
  readonly address: string;
  readonly family: Family;
  readonly port: number;
  readonly method: ForwardMethod;
  readonly weight: number;
  readonly activeConns: number;
  readonly inactConns: number;
  readonly persistConns: number;
  readonly uThreshold: number;
  readonly lThreshold: number;
  readonly overloaded: boolean;
  readonly tunnel?: TunnelInfo;
  readonly stats: StatsSnapshot;
  readonly rates: RateSnapshot;
}

/** Service flag bits as the kernel stores them (IP_VS_SVC_F_*). */
export interface ServiceFlags {
  readonly persistent: boolean;
  readonly hashed: boolean;
  readonly onePacket: boolean;
  /** SCHED1..3: sh-fallback/sh-port, mh-fallback/mh-port, flag-3, per scheduler. */
  readonly sched1: boolean;
  readonly sched2: boolean;
  readonly sched3: boolean;
}

export interface ServiceSnapshot {
  /** 0 for address services; non-zero for fwmark services. */
  readonly fwmark: number;
  readonly family: Family;
  /** Undefined for fwmark services. */
  readonly protocol?: ServiceProtocol;
  /** Undefined for fwmark services. */
  readonly address?: string;
  readonly port: number;
  readonly scheduler: string;
  readonly flags: ServiceFlags;
  /** Persistence timeout in seconds (meaningful when flags.persistent). */
  readonly timeout: number;
  /** IPv4: dotted mask ("255.255.255.255" default); IPv6: prefix length as text ("128"). */
  readonly netmask: string;
  readonly pe?: string;
  /** Destinations in the kernel's list order (most recently added first). */
  readonly dests: readonly DestSnapshot[];
  readonly stats: StatsSnapshot;
  readonly rates: RateSnapshot;
}

export type ConnState =
  | 'NONE'
  | 'ESTABLISHED'
  | 'SYN_SENT'
  | 'SYN_RECV'
  | 'FIN_WAIT'
  | 'TIME_WAIT'
  | 'CLOSE'
  | 'CLOSE_WAIT'
  | 'LAST_ACK'
  | 'LISTEN'
  | 'SYNACK'
  | 'UDP'
  | 'ASSURED'
  // SCTP's states as the kernel names them (read from /proc/net/ip_vs_conn by the IPVS plane).
  | 'INIT1'
  | 'INIT'
  | 'COOKIE_SENT'
  | 'COOKIE_REPLIED'
  | 'COOKIE_WAIT'
  | 'COOKIE_ECHOED'
  | 'SHUTDOWN_SENT'
  | 'SHUTDOWN_RECEIVED'
  | 'SHUTDOWN_ACK_SENT'
  | 'REJECTED'
  | 'CLOSED'
  /** The kernel's name for a state it cannot name. */
  | 'ERR!';

export interface ConnSnapshot {
  /** `IP` for fwmark persistence templates. */
  readonly protocol: ServiceProtocol | 'IP';
  readonly family: Family;
  readonly clientAddress: string;
  readonly clientPort: number;
  readonly virtualAddress: string;
  readonly virtualPort: number;
  readonly destAddress: string;
  readonly destPort: number;
  readonly state: ConnState;
  /** Milliseconds until expiry. */
  readonly expiresMs: number;
  readonly template: boolean;
  readonly peName?: string;
  readonly peData?: string;
}

export interface Timeouts {
  readonly tcp: number;
  readonly tcpfin: number;
  readonly udp: number;
}

export interface TableSnapshot {
  /** "1.2.1", the IPVS version every kernel reports. */
  readonly version: string;
  /** Connection hash table size reported in the header (4096). */
  readonly connTabSize: number;
  readonly services: readonly ServiceSnapshot[];
  readonly totals: StatsSnapshot;
  readonly totalRates: RateSnapshot;
  readonly timeouts: Timeouts;
}
