// What "holding the virtual IPs" means for an instance, behind one interface. `address` mode is
// keepalived's: the addresses (and virtual_routes) go onto the interface over rtnetlink and
// gratuitous ARP / unsolicited NA tell the LAN where they moved. `listener` mode is tandem's
// unprivileged extension: holding a VIP means owning the proxy data plane's listening sockets on
// it, so a cluster of directors on one machine's loopback addresses fails over without root.

import type { VrrpInstance } from '../config/model.js';

export type GarpReason = 'master' | 'delayed' | 'refresh' | 'lower-prio';

export interface VipHolder {
  /** Take the instance's VIPs, eVIPs and routes; resolves when they are in place. */
  add(inst: VrrpInstance): Promise<void>;
  /** Give them back. */
  remove(inst: VrrpInstance): Promise<void>;
  /** Announce the VIPs on the wire (`count` rounds); a no-op where nothing can be announced. */
  announce(inst: VrrpInstance, reason: GarpReason, count: number): void;
  /** Get ready to hold the instance's VIPs (open what announcing needs), ahead of time. */
  prepare?(inst: VrrpInstance): void;
  /** The addresses this holder currently holds for the instance. */
  held(inst: VrrpInstance): readonly string[];
  close(): void;
}

/** The advertised addresses, then the excluded ones (keepalived holds both while master). */
export function vipAddresses(inst: VrrpInstance): string[] {
  return [...inst.virtualIpaddress, ...inst.virtualIpaddressExcluded].map((v) => v.address);
}

/**
 * listener mode: the holder only records what is held and tells its owner (the daemon, which
 * binds or releases the data plane's listeners on those addresses).
 */
export function listenerVipHolder(
  onChange: (instance: string, addresses: readonly string[], held: boolean) => void,
): VipHolder {
  const holding = new Map<string, readonly string[]>();
  return {
    add(inst) {
      const addrs = vipAddresses(inst);
      holding.set(inst.name, addrs);
      onChange(inst.name, addrs, true);
      return Promise.resolve();
    },
    remove(inst) {
      const addrs = holding.get(inst.name) ?? vipAddresses(inst);
      holding.delete(inst.name);
      onChange(inst.name, addrs, false);
      return Promise.resolve();
    },
    announce() {
      // Nothing to tell a LAN: the listeners are on this machine.
    },
    held: (inst) => holding.get(inst.name) ?? [],
    close() {
      holding.clear();
    },
  };
}
