// The contract every data plane keeps with the daemon: the userspace proxy (src/dataplane/proxy),
// and the kernel planes (nftables, IPVS over netlink). The daemon owns the virtual server table;
// a plane turns it into forwarding. sync() is called after every change to the table's
// configuration (services, destinations, weights, health verdicts, tandemadm edits, reloads),
// coalesced, with the services to serve (listener-mode VIPs this director does not hold are left
// out). The proxy needs only the service list from it; kernel planes reprogram what changed.

import type { PlaneHooks, ServiceSnapshot } from '../ipvs/index.js';
import type { SyncDaemonInfo } from '../ipvs/render/index.js';
import type { ServiceOptions, CloseOptions, CloseResult, ProxyPlaneStats } from './proxy/plane.js';

export type DataPlaneKind = 'proxy' | 'nft' | 'ipvs';

export interface DataPlaneStats {
  /** The proxy's relays, listeners and event counters (proxy plane only). */
  readonly proxy?: ProxyPlaneStats;
  /** A kernel plane's own facts: rulesets applied, transactions, errors (kernel planes only). */
  readonly kernel?: Readonly<Record<string, number | string | boolean>>;
}

/** keepalived's global LVS settings, for a kernel plane (undefined fields keep the defaults). */
export interface KernelGlobals {
  /** lvs_flush: empty the kernel's table before the first sync. */
  readonly flushAtStart: boolean;
  /** lvs_flush_on_stop: empty the whole table at stop, not only tandem's services. */
  readonly flushOnStop: boolean;
  /** lvs_sync_daemon: the connection-sync daemons that should run now. */
  readonly syncDaemons: readonly SyncDaemonInfo[];
}

export interface DataPlane {
  readonly kind: DataPlaneKind;
  sync(services: readonly ServiceSnapshot[], options: ReadonlyMap<string, ServiceOptions>): void;
  /** The table released connection entry `conn` (the proxy closes what relays it). */
  release(conn: number): void;
  stats(): DataPlaneStats;
  /** Kernel planes: keepalived's LVS globals, at every configuration load. */
  configure?(globals: KernelGlobals): void;
  /**
   * Kernel planes: what tandemadm's commands on the daemon's table need from the kernel — its
   * connection entries (`-L -c`), sync daemons (`--daemon`, `--start-daemon`), fresh counters
   * before a listing, and `-Z` on the kernel's counters too.
   */
  adminHooks?(): PlaneHooks;
  /** Stop forwarding and remove what the plane installed; established flows may drain. */
  close(options?: CloseOptions): Promise<CloseResult>;
}
