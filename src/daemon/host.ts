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
 * A test for "is this address configured on this host" (ha_suspend), over one reading of the
 * interfaces: an interface address, or any loopback address (the kernel answers for all of
 * 127.0.0.0/8 without configuring them).
 */
export function localAddressTest(): (address: string) => boolean {
  const local = new Set<string>(['::1']);
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) local.add(a.address);
  }
  return (address) => address.startsWith('127.') || local.has(address);
}
