// Names of the nftables objects tandem owns. Every table starts with `tandem_`, so tandem finds
// its own tables (a crashed daemon's included) and never touches anyone else's; every object of
// a virtual service starts with the service's prefix (`s_tcp_10_0_0_1_80`), so an update of one
// service names only its own chains, maps and counters.
//
// Real servers are numbered per service (1, 2, …; the number is the packet mark the DR chains
// carry from the flow map to the forwarding map). A number is kept for the service's lifetime,
// even while its real server is out of the table, so a server that comes back gets the flows
// still recorded for it, and a number never names two servers.

import type { DestSnapshot, ServiceSnapshot } from '../../ipvs/index.js';

export const TABLE_PREFIX = 'tandem_';
/** The NAT table: both families, dnat in prerouting, counters in forward. */
export const NAT_TABLE = 'tandem_nat';

/** `tandem_dr_<interface>`: one netdev table per interface where DR traffic comes in. */
export function drTableName(ifname: string): string {
  return `${TABLE_PREFIX}dr_${ifname.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** Whether a table name is one tandem owns. */
export function isOwnTable(name: string): boolean {
  return name.startsWith(TABLE_PREFIX);
}

/** The stable identity of an address service: `tcp:10.0.0.1:80`, `udp:[2001:db8::1]:53`. */
export function serviceId(s: ServiceSnapshot): string {
  const addr = s.address ?? '';
  const a = s.family === 'inet6' ? `[${addr}]` : addr;
  return `${(s.protocol ?? 'tcp').toLowerCase()}:${a}:${s.port}`;
}

/** `s_tcp_10_0_0_1_80` / `s_tcp6_2001_db8__1_80`: the prefix of a service's objects. */
export function servicePrefix(s: ServiceSnapshot): string {
  const proto = (s.protocol ?? 'tcp').toLowerCase();
  const fam = s.family === 'inet6' ? '6' : '';
  const addr = (s.address ?? '').replace(/[^A-Za-z0-9]/g, '_');
  return `s_${proto}${fam}_${addr}_${s.port}`;
}

export function destId(d: { address: string; port: number }): string {
  return `${d.address}|${d.port}`;
}

/** Real server numbers per service, stable for the service's life in the ruleset. */
export class DestNumbers {
  readonly #services = new Map<string, { next: number; byDest: Map<string, number> }>();

  numberOf(service: string, dest: DestSnapshot): number {
    let s = this.#services.get(service);
    if (s === undefined) {
      s = { next: 1, byDest: new Map() };
      this.#services.set(service, s);
    }
    const key = destId(dest);
    let n = s.byDest.get(key);
    if (n === undefined) {
      n = s.next++;
      s.byDest.set(key, n);
    }
    return n;
  }

  /** Forgets services no longer programmed (their objects, flows included, are gone). */
  retain(services: ReadonlySet<string>): void {
    for (const id of this.#services.keys()) if (!services.has(id)) this.#services.delete(id);
  }
}
