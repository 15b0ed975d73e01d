// The table's internal records (shared/reference/ipvs.md §0): services, destinations and the
// shared state the table's function modules work on. Services and destinations are few and
// long-lived, so they are plain objects; connections live in ConnStore's typed arrays. Not part
// of the public surface: callers see IpvsTable and the snapshot types.

import type { LvsSched } from '../config/model.js';
import type { Family } from '../lib/inet.js';
import type { AddrPool } from './addr-pool.js';
import type { ConnStore } from './conn-store.js';
import type { Scheduler, SchedDest, SchedulerFactory } from './scheduler.js';
import type { ForwardMethod, ServiceProtocol, TunnelInfo } from './snapshot.js';
import type { RawCounters } from './estimator.js';
import type { Stats } from './stats.js';
import type { TimeoutTable } from './timeouts.js';
import type { TimerWheel } from './timer-wheel.js';

/** IP protocol numbers; 0 (IPPROTO_IP) marks fwmark persistence templates. */
export const PROTO_NUM = { IP: 0, TCP: 6, UDP: 17, SCTP: 132 } as const;

export function protoNum(p: ServiceProtocol): number {
  return PROTO_NUM[p];
}

export interface ServiceFlagsState {
  persistent: boolean;
  hashed: boolean;
  onePacket: boolean;
  sched1: boolean;
  sched2: boolean;
  sched3: boolean;
}

export interface Service {
  /** `TCP|inet|10.0.0.1|80` or `FWM|inet|5`: the kernel's identity of a service. */
  readonly id: string;
  readonly fwmark: number;
  readonly family: Family;
  readonly protocol: ServiceProtocol | undefined;
  readonly address: string | undefined;
  readonly port: number;
  schedName: LvsSched;
  scheduler: Scheduler;
  readonly flags: ServiceFlagsState;
  /** Persistence timeout, seconds. */
  timeout: number;
  /** Persistence granularity as a prefix length (IPv4 0..32, IPv6 1..128). */
  netmask: number;
  pe: string | undefined;
  /** Available destinations in kernel order: most recently added first. */
  readonly dests: Dest[];
  readonly stats: Stats;
}

export interface Dest extends SchedDest {
  /** Index in TableState.dests; connections refer to destinations by it. */
  readonly slot: number;
  svc: Service;
  method: ForwardMethod;
  uThreshold: number;
  lThreshold: number;
  tunnel: TunnelInfo | undefined;
  /** IP_VS_DEST_F_AVAILABLE: false once deleted (the kernel's dest trash). */
  available: boolean;
  readonly stats: Stats;
}

/** What a kernel data plane reports for one destination (IpvsTable.absorbKernel). */
export interface KernelDestUpdate {
  /** Traffic since the previous report. */
  readonly delta?: Readonly<RawCounters>;
  /** The kernel's own connection counts, where it keeps them (IPVS, conntrack). */
  readonly activeConns?: number;
  readonly inactConns?: number;
}

export interface TableOptions {
  /** Milliseconds, monotonic. */
  readonly now: () => number;
  readonly schedulers: (name: LvsSched) => SchedulerFactory | undefined;
  /** Uniform integer in [0, n); defaults to Math.random. */
  readonly random?: (n: number) => number;
  /** sysctl expire_nodest_conn (default false). */
  readonly expireNodestConn?: boolean;
  /** sysctl expire_quiescent_template (default false). */
  readonly expireQuiescentTemplate?: boolean;
  /** sysctl conn_reuse_mode (default 1). */
  readonly connReuseMode?: number;
  /** sysctl sloppy_tcp (default false). */
  readonly sloppyTcp?: boolean;
  /** Connection entries to allocate up front (grows by doubling). */
  readonly initialCapacity?: number;
  /**
   * Called as an entry leaves the table (timer, reuse, expire_nodest_conn flush), before its id
   * can be reused: a proxy data plane closes the sockets it relays for that connection. It must
   * not call back into the table synchronously.
   */
  readonly onRelease?: (conn: number) => void;
  /**
   * The configuration changed: a service or destination was added, edited or deleted (ipvsadm
   * -A -E -D -C -a -e -d, the checkers' verdicts, reloads). Kernel data planes reprogram on it.
   */
  readonly onChange?: () => void;
}

export interface Sysctls {
  expireNodestConn: boolean;
  expireQuiescentTemplate: boolean;
  connReuseMode: number;
  sloppyTcp: boolean;
}

export interface TableState {
  readonly now: () => number;
  readonly random: (n: number) => number;
  readonly schedulers: (name: LvsSched) => SchedulerFactory | undefined;
  readonly sysctl: Sysctls;
  readonly services: Map<string, Service>;
  /** Every destination record alive (available or in the trash), by slot. */
  readonly dests: (Dest | undefined)[];
  readonly freeDestSlots: number[];
  /** Deleted destinations still referenced by connections, by `serviceId|addr|port`. */
  readonly trash: Map<string, Dest>;
  readonly store: ConnStore;
  readonly wheel: TimerWheel;
  readonly addrs: AddrPool;
  readonly timeouts: TimeoutTable;
  readonly totals: Stats;
  nextEstimate: number;
  readonly onRelease: ((conn: number) => void) | undefined;
}

export function trashKey(svcId: string, address: string, port: number): string {
  return `${svcId}|${address}|${port}`;
}
