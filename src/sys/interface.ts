// Interface facts the raw sockets need: the index (if_nametoindex(3), for multicast membership,
// IPV6_MULTICAST_IF, scope ids and sockaddr_ll) and the hardware address (sysfs, see
// Documentation/ABI/testing/sysfs-class-net: /sys/class/net/IF/address), which is simpler than
// SIOCGIFHWADDR and the same truth the kernel reports to `ip link`.

import { readFile } from 'node:fs/promises';
import { loadLibc } from './libc.js';

// IFNAMSIZ is 16 with the NUL (include/uapi/linux/if.h); '/' and NUL are never valid, and the
// check also keeps the name from walking out of /sys/class/net.
const IFNAME = /^[^/\0\s]{1,15}$/;

export function validInterfaceName(name: string): boolean {
  return IFNAME.test(name) && name !== '.' && name !== '..';
}

/** The interface's index, or undefined when it does not exist (or koffi is unavailable). */
export function interfaceIndex(name: string): number | undefined {
  if (!validInterfaceName(name)) return undefined;
  const n = loadLibc()?.ifNametoindex(name) ?? 0;
  return n > 0 ? n : undefined;
}

/** The interface's MAC as `aa:bb:cc:dd:ee:ff`, or undefined (no such interface, not Ethernet). */
export async function interfaceMac(name: string): Promise<string | undefined> {
  if (!validInterfaceName(name)) return undefined;
  try {
    const text = (await readFile(`/sys/class/net/${name}/address`, 'utf8')).trim();
    return parseMac(text) === undefined ? undefined : text;
  } catch {
    return undefined;
  }
}

/** Six bytes of `aa:bb:cc:dd:ee:ff` (case-insensitive), or undefined. */
export function parseMac(text: string): Uint8Array | undefined {
  const parts = text.split(':');
  if (parts.length !== 6 || !parts.every((p) => /^[0-9a-fA-F]{2}$/.test(p))) return undefined;
  return Uint8Array.from(parts, (p) => parseInt(p, 16));
}
