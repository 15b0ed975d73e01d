// The contract every data plane keeps with the daemon: the userspace proxy (src/dataplane/proxy),
// and the kernel planes (nftables, IPVS over netlink). The daemon owns the virtual server table;
// a plane turns it into forwarding. sync() is called after every change to the table's
// configuration (services, destinations, weights, health verdicts, tandemadm edits, reloads),
// coalesced, with the services to serve (listener-mode VIPs this director does not hold are left
// out). The proxy needs only the service list from it; kernel planes reprogram what changed.

import type { ServiceSnapshot } from '../ipvs/index.js';
import type { ServiceOptions, CloseOptions, CloseResult, ProxyPlaneStats } from './proxy/plane.js';

export type DataPlaneKind = 'proxy' | 'nft' | 'ipvs';

export interface DataPlaneStats {
  /** The proxy's relays, listeners and event counters (proxy plane only). */
  readonly proxy?: ProxyPlaneStats;
  /** A kernel plane's own facts: rulesets applied, transactions, errors (kernel planes only). */
  readonly kernel?: Readonly<Record<string, number | string | boolean>>;
}

export interface DataPlane {
  readonly kind: DataPlaneKind;
  sync(services: readonly ServiceSnapshot[], options: ReadonlyMap<string, ServiceOptions>): void;
  /** The table released connection entry `conn` (the proxy closes what relays it). */
  release(conn: number): void;
  stats(): DataPlaneStats;
  /** Stop forwarding and remove what the plane installed; established flows may drain. */
  close(options?: CloseOptions): Promise<CloseResult>;
}
