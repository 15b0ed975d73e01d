// What the admin listener reads from the daemon, described structurally: src/web may not import
// the daemon or VRRP (eslint.config.js layering), so these types name only the fields the
// metrics and the status page use, and the daemon's DaemonStatus is assignable to WebStatus as
// it is. Series labels use the configuration's reload keys (`tcp:10.0.0.1:80`, `fwmark:5`) and
// `address:port` for real servers, so metrics, checker results and logs line up.

import type { DestSnapshot, ServiceSnapshot, TableSnapshot } from '../ipvs/index.js';
import { bracketed } from '../lib/inet.js';

/** The proxy data plane's event counters (src/dataplane/proxy/counters.ts). */
export interface WebProxyCounters {
  readonly accepted: number;
  readonly noDestination: number;
  readonly dropped: number;
  readonly connectRefused: number;
  readonly connectTimeout: number;
  readonly connectError: number;
  readonly released: number;
  readonly resets: number;
  readonly udpFlows: number;
  readonly udpDropped: number;
  readonly udpSendErrors: number;
  readonly listenErrors: number;
}

export interface WebVrrpInstance {
  readonly name: string;
  readonly state: string;
  readonly vrid: number;
  readonly priority: number;
  readonly effectivePriority: number;
  readonly masterAddress?: string;
  readonly vips: readonly string[];
  readonly stats: {
    readonly advertsReceived: number;
    readonly advertsSent: number;
    readonly becameMaster: number;
    readonly releasedMaster: number;
    readonly priorityZeroReceived: number;
    readonly priorityZeroSent: number;
    readonly sendErrors: number;
    /** By receive-check reason (src/vrrp/receive.ts RX_REJECT_REASONS). */
    readonly rejected: Readonly<Record<string, number>>;
  };
}

export interface WebVrrpStatus {
  readonly instances: readonly WebVrrpInstance[];
  readonly unknownVrid: number;
  readonly splitBrain: {
    readonly active: readonly { readonly instance: string; readonly vip: string }[];
    readonly probesSent: number;
    readonly episodes: number;
  };
}

/** Per virtual server (config key), the checkers' view of each real server (`address|port`). */
export interface WebCheckStatus {
  readonly vs: string;
  readonly quorumUp: boolean;
  readonly rs: readonly { readonly rs: string; readonly alive: boolean; readonly weight: number }[];
}

export interface WebStatus {
  readonly pid?: number;
  readonly dataplane?: string;
  readonly table: Pick<TableSnapshot, 'services' | 'totals' | 'totalRates'>;
  /** Absent with a kernel data plane. */
  readonly proxy?: {
    readonly counters: WebProxyCounters;
    readonly relays: number;
    readonly udpFlows: number;
    readonly listeners: readonly { readonly key: string; readonly listening: boolean }[];
  };
  readonly checks: readonly WebCheckStatus[];
  /** Per real server, upstream connect failures (present with the proxy data plane). */
  readonly services?: readonly {
    readonly dests: readonly {
      readonly address: string;
      readonly port: number;
      readonly connectFailures: {
        readonly refused: number;
        readonly timeout: number;
        readonly error: number;
      };
    }[];
  }[];
  /** Absent when the daemon runs no VRRP. */
  readonly vrrp?: WebVrrpStatus;
  /** The notification path's counters (mail absent when no smtp_server is configured). */
  readonly notify?: {
    readonly mail?: {
      readonly sent: number;
      readonly failed: number;
      readonly dropped: number;
      readonly retries: number;
    };
    readonly scripts?: {
      readonly started: number;
      readonly failed: number;
      readonly timedOut: number;
      readonly dropped: number;
      readonly refused: number;
    };
  };
}

/** Where the listener gets a fresh status on every scrape and every /status.json request. */
export type StatusSource = () => Promise<WebStatus>;

/** A table service's reload key, as src/config/keywords/virtual-server.ts vsKey() spells it. */
export function serviceKey(
  s: Pick<ServiceSnapshot, 'fwmark' | 'family' | 'protocol' | 'address' | 'port'>,
): string {
  if (s.fwmark !== 0 || s.protocol === undefined) {
    return `fwmark:${s.fwmark}${s.family === 'inet6' ? ':inet6' : ''}`;
  }
  return `${s.protocol.toLowerCase()}:${bracketed(s.address ?? '')}:${s.port}`;
}

/** A real server as metrics label it: `10.0.0.2:80`, `[2001:db8::2]:80`. */
export function destLabel(d: Pick<DestSnapshot, 'address' | 'port'>): string {
  return `${bracketed(d.address)}:${d.port}`;
}

/** The checkers' key for a real server (src/check/health.ts rsKey). */
export function checkKey(d: Pick<DestSnapshot, 'address' | 'port'>): string {
  return `${d.address}|${d.port}`;
}

/**
 * A real server's health by the checkers, looked up by its service's key and, for services the
 * checkers know under another key (virtual_server_group members), by the real server alone.
 * Undefined when no checker reports on it.
 */
export function healthLookup(
  checks: readonly WebCheckStatus[],
): (vs: string, d: Pick<DestSnapshot, 'address' | 'port'>) => boolean | undefined {
  const byVs = new Map<string, boolean>();
  const byRs = new Map<string, boolean>();
  for (const c of checks) {
    for (const r of c.rs) {
      byVs.set(`${c.vs}#${r.rs}`, r.alive);
      byRs.set(r.rs, (byRs.get(r.rs) ?? true) && r.alive);
    }
  }
  return (vs, d) => byVs.get(`${vs}#${checkKey(d)}`) ?? byRs.get(checkKey(d));
}
