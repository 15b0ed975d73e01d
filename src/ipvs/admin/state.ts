// What ipvsadm accumulates while it reads the options of one command (its `ce`, `options`
// and `format` variables), before the post-parse checks turn it into an IpvsadmCommand.
// Mutable on purpose: options are applied in argv order and later ones may overwrite what
// earlier ones set (a -t after -M resets an IPv6 mask, a -r before -t sees port 0), exactly
// as in ipvsadm.

import type { Family } from '../../lib/inet.js';
import type { ForwardMethod, ServiceProtocol } from '../snapshot.js';
import type { CmdName, OptName } from './options.js';

export interface SvcState {
  /** undefined until -t/-u/--sctp-service/-f sets it (AF_UNSPEC). */
  family: Family | undefined;
  protocol: ServiceProtocol | undefined;
  address: string;
  port: number;
  fwmark: number;
  scheduler: string;
  persistent: boolean;
  onePacket: boolean;
  sched1: boolean;
  sched2: boolean;
  sched3: boolean;
  timeout: number;
  /** IPv4: host-order mask; IPv6: prefix length. */
  netmask: number;
  pe: string;
}

export interface DestState {
  family: Family | undefined;
  address: string;
  port: number;
  method: ForwardMethod;
  weight: number;
  uThreshold: number;
  lThreshold: number;
  tunType: 'ipip' | 'gue' | 'gre';
  tunPort: number;
  /** IP_VS_TUNNEL_ENCAP_FLAG_*: 0 nocsum, 1 csum, 2 remcsum (or-ed, as ipvsadm does). */
  tunFlags: number;
}

export interface DaemonState {
  state: 'master' | 'backup' | undefined;
  mcastInterface: string;
  syncId: number;
  syncMaxlen: number | undefined;
  mcastGroup: string | undefined;
  mcastPort: number | undefined;
  mcastTtl: number | undefined;
}

export interface FormatState {
  numeric: boolean;
  stats: boolean;
  rate: boolean;
  thresholds: boolean;
  persistentConn: boolean;
  nosort: boolean;
  exact: boolean;
  tunInfo: boolean;
}

export interface ParseState {
  cmd: CmdName | undefined;
  options: Set<OptName>;
  svc: SvcState;
  dest: DestState;
  daemon: DaemonState;
  format: FormatState;
  schedFlagsArg: string;
}

/** ipvsadm's process_options defaults: weight 1, -g, ipip, host mask. */
export function initialState(): ParseState {
  return {
    cmd: undefined,
    options: new Set(),
    svc: {
      family: undefined,
      protocol: undefined,
      address: '0.0.0.0',
      port: 0,
      fwmark: 0,
      scheduler: '',
      persistent: false,
      onePacket: false,
      sched1: false,
      sched2: false,
      sched3: false,
      timeout: 0,
      netmask: 0xffffffff,
      pe: '',
    },
    dest: {
      family: undefined,
      address: '0.0.0.0',
      port: 0,
      method: 'route',
      weight: 1,
      uThreshold: 0,
      lThreshold: 0,
      tunType: 'ipip',
      tunPort: 0,
      tunFlags: 0,
    },
    daemon: {
      state: undefined,
      mcastInterface: '',
      syncId: 0,
      syncMaxlen: undefined,
      mcastGroup: undefined,
      mcastPort: undefined,
      mcastTtl: undefined,
    },
    format: {
      numeric: false,
      stats: false,
      rate: false,
      thresholds: false,
      persistentConn: false,
      nosort: false,
      exact: false,
      tunInfo: false,
    },
    schedFlagsArg: '',
  };
}
