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
