// A minimal table builder for restore round trips: applies add-service/add-server commands to
// an empty list of services, the way the kernel would store them (dests at the head). It is
// test scaffolding, not the connection table (that lives in the table subsystem).

import type { IpvsadmCommand } from '../../src/ipvs/admin/index.js';
import { matchesServiceKey } from '../../src/ipvs/service-key.js';
import type { DestSnapshot, ServiceSnapshot } from '../../src/ipvs/snapshot.js';
import { ZERO_RATES, ZERO_STATS } from './snapshot.js';

export function applyCommands(commands: readonly IpvsadmCommand[]): ServiceSnapshot[] {
  const services: ServiceSnapshot[] = [];
  for (const c of commands) {
    if (c.command === 'add-service') {
      const key = c.service;
      services.push({
        fwmark: key.kind === 'fwmark' ? key.fwmark : 0,
        family: key.family,
        ...(key.kind === 'address' ? { protocol: key.protocol, address: key.address } : {}),
        port: key.kind === 'address' ? key.port : 0,
        scheduler: c.scheduler,
        flags: { ...c.flags, hashed: true },
        timeout: c.timeout,
        netmask: c.netmask,
        ...(c.pe === undefined ? {} : { pe: c.pe }),
        dests: [],
        stats: ZERO_STATS,
        rates: ZERO_RATES,
      });
    } else if (c.command === 'add-server') {
      const i = services.findIndex((s) => matchesServiceKey(s, c.service));
      const svc = services[i];
      if (svc === undefined) throw new Error('Service not defined');
      const d: DestSnapshot = {
        ...c.server,
        activeConns: 0,
        inactConns: 0,
        persistConns: 0,
        overloaded: false,
        stats: ZERO_STATS,
        rates: ZERO_RATES,
      };
      services[i] = { ...svc, dests: [d, ...svc.dests] };
    } else {
      throw new Error(`unexpected command ${c.command}`);
    }
  }
  return services;
}
