// Facts about this host that the configuration is checked against: its network interfaces.

import { readdirSync } from 'node:fs';
import { networkInterfaces } from 'node:os';

/** Interface names, from /sys/class/net (all links) or, failing that, from Node. */
export function hostInterfaces(): ReadonlySet<string> {
  try {
    return new Set(readdirSync('/sys/class/net'));
  } catch {
    return new Set(Object.keys(networkInterfaces()));
  }
}

/**
 * Whether `address` is configured on this host (ha_suspend): an interface address, or any
 * loopback address (the kernel answers for all of 127.0.0.0/8 without configuring them).
 */
export function isLocalAddress(address: string): boolean {
  if (address.startsWith('127.') || address === '::1') return true;
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.address === address) return true;
  }
  return false;
}
