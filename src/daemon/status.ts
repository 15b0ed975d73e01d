// The daemon's state as plain data, for keepalived's SIGUSR1 dump (/tmp/keepalived.data; ours is
// /tmp/tandem.data, JSON) until the control socket and status page serve it. Real servers at
// weight 0 that still hold connections are marked draining: new connections avoid them while
// existing ones finish.

import type { DataPlaneKind, DataPlaneStats, ProxyPlaneStats } from '../dataplane/index.js';
import type { TableSnapshot } from '../ipvs/index.js';
import type { EngineStatus } from '../vrrp/index.js';
import type { RecentEvent } from './events-ring.js';
import type { NotifyCounters } from './notifications.js';

export interface DestStatus {
  readonly address: string;
  readonly port: number;
  readonly weight: number;
  readonly activeConns: number;
  readonly inactConns: number;
  /** Weight 0 with connections left: quiesced, finishing what it has. */
  readonly draining: boolean;
  readonly connectFailures: { refused: number; timeout: number; error: number };
}

export interface ServiceStatus {
  readonly service: string;
  readonly scheduler: string;
  readonly dests: readonly DestStatus[];
}

export interface DaemonStatus {
  readonly pid: number;
  readonly dataplane: DataPlaneKind;
  readonly services: readonly ServiceStatus[];
  /** The proxy plane's relays, listeners and counters (absent with a kernel plane). */
  readonly proxy?: Omit<ProxyPlaneStats, 'failures'>;
  /** A kernel plane's own facts (absent with the proxy). */
  readonly kernel?: DataPlaneStats['kernel'];
  readonly table: TableSnapshot;
  /** Per virtual server: quorum and each real server's health as the checkers see it. */
  readonly checks: readonly {
    vs: string;
    quorumUp: boolean;
    rs: readonly { rs: string; alive: boolean; weight: number }[];
  }[];
  /** VRRP instances, their state, priorities and packet counters (absent without VRRP). */
  readonly vrrp?: EngineStatus;
  /** Recent VRRP transitions and checker verdicts, newest last. */
  readonly events?: readonly RecentEvent[];
  /** Notification counters: mails and notify scripts. */
  readonly notify?: NotifyCounters;
}

/** `TCP 10.0.0.1:80`, `UDP [fd00::1]:53`, `FWM 7`: how the status names a service. */
export function serviceLabel(s: TableSnapshot['services'][number]): string {
  return s.protocol === undefined
    ? `FWM ${s.fwmark}`
    : `${s.protocol} ${s.family === 'inet6' ? `[${s.address ?? ''}]` : (s.address ?? '')}:${s.port}`;
}

export function daemonStatus(
  table: TableSnapshot,
  dataplane: DataPlaneKind,
  plane: DataPlaneStats,
  checks: DaemonStatus['checks'],
  vrrp?: EngineStatus,
): DaemonStatus {
  const services = table.services.map((s) => ({
    service: serviceLabel(s),
    scheduler: s.scheduler,
    dests: s.dests.map((d) => ({
      address: d.address,
      port: d.port,
      weight: d.weight,
      activeConns: d.activeConns,
      inactConns: d.inactConns,
      draining: d.weight === 0 && d.activeConns + d.inactConns > 0,
      connectFailures: plane.proxy?.failures.get(`${d.address}:${d.port}`) ?? {
        refused: 0,
        timeout: 0,
        error: 0,
      },
    })),
  }));
  const proxy = plane.proxy;
  return {
    pid: process.pid,
    dataplane,
    services,
    ...(proxy === undefined
      ? {}
      : {
          proxy: {
            counters: proxy.counters,
            relays: proxy.relays,
            udpFlows: proxy.udpFlows,
            listeners: proxy.listeners,
          },
        }),
    ...(plane.kernel === undefined ? {} : { kernel: plane.kernel }),
    table,
    checks,
    ...(vrrp === undefined ? {} : { vrrp }),
  };
}
