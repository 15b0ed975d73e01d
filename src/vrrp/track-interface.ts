// track_interface link state (reference §1.7, §2.5). keepalived calls an interface up when its
// netlink flags carry IFF_UP and IFF_RUNNING. The kernel sets IFF_RUNNING in those flags when the
// operational state is UP or UNKNOWN (dev_get_flags → netif_oper_up), but sysfs `flags` holds
// only the administrative flags, so the initial state read here combines `flags` and
// `operstate`. Later changes arrive from the netlink monitor via Trackers.setLinkState. Reading
// sysfs needs no privileges, and works in a worker thread.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** IFF_UP, <linux/if.h>. */
export const IFF_UP = 0x1;

/** Up as keepalived sees it: administratively up and operationally up or unknown. */
export function linkUpFrom(flags: number, operstate: string): boolean {
  const op = operstate.trim();
  return (flags & IFF_UP) !== 0 && (op === 'up' || op === 'unknown');
}

/**
 * The link state of `ifname` from /sys/class/net, or undefined when there is no such interface
 * (keepalived treats a tracked interface that does not exist as down).
 */
export function linkStateFromSysfs(ifname: string, root = '/sys/class/net'): boolean | undefined {
  // An interface name never contains '/', and '.' / '..' are not interfaces.
  if (ifname === '' || ifname.includes('/') || ifname === '.' || ifname === '..') return undefined;
  try {
    const flags = Number.parseInt(readFileSync(join(root, ifname, 'flags'), 'utf8').trim(), 16);
    const operstate = readFileSync(join(root, ifname, 'operstate'), 'utf8');
    if (!Number.isFinite(flags)) return undefined;
    return linkUpFrom(flags, operstate);
  } catch {
    return undefined;
  }
}
