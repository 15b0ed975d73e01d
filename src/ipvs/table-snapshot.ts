// Read-only pictures of the table in the shapes of src/ipvs/snapshot.ts (shared/reference/
// ipvs.md §0, §5, §6.4): services with their destinations in kernel order, totals, rates,
// timeouts, and connection entries with the time left on their timers.

import { numberToIpv4 } from '../lib/inet.js';
import { ipv4Mask } from './addr-pool.js';
import { STATE_UDP, destOf } from './conn-table.js';
import { CONN_FLAG } from './conn-store.js';
import { PROTO_NUM, type Dest, type Service, type TableState } from './model.js';
import type {
  ConnSnapshot,
  ConnState,
  DestSnapshot,
  ServiceProtocol,
  ServiceSnapshot,
  TableSnapshot,
} from './snapshot.js';
import { ratesSnapshot, statsSnapshot } from './stats.js';
import { TCP_STATE_NAMES } from './tcp-state.js';
import { getTimeouts } from './timeouts.js';

export const IPVS_VERSION = '1.2.1';
export const CONN_TAB_SIZE = 4096;

function netmaskText(svc: Service): string {
  return svc.family === 'inet' ? numberToIpv4(ipv4Mask(svc.netmask)) : String(svc.netmask);
}

export function destSnapshot(d: Dest): DestSnapshot {
  return {
    address: d.address,
    family: d.family,
    port: d.port,
    method: d.method,
    weight: d.weight,
    activeConns: d.activeConns,
    inactConns: d.inactConns,
    persistConns: d.persistConns,
    uThreshold: d.uThreshold,
    lThreshold: d.lThreshold,
    overloaded: d.overloaded,
    ...(d.tunnel === undefined ? {} : { tunnel: d.tunnel }),
    stats: statsSnapshot(d.stats),
    rates: ratesSnapshot(d.stats),
  };
}

export function serviceSnapshot(svc: Service): ServiceSnapshot {
  return {
    fwmark: svc.fwmark,
    family: svc.family,
    ...(svc.protocol === undefined ? {} : { protocol: svc.protocol }),
    ...(svc.address === undefined ? {} : { address: svc.address }),
    port: svc.port,
    scheduler: svc.schedName,
    flags: { ...svc.flags },
    timeout: svc.timeout,
    netmask: netmaskText(svc),
    ...(svc.pe === undefined ? {} : { pe: svc.pe }),
    dests: svc.dests.map(destSnapshot),
    stats: statsSnapshot(svc.stats),
    rates: ratesSnapshot(svc.stats),
  };
}

export function tableSnapshot(st: TableState): TableSnapshot {
  return {
    version: IPVS_VERSION,
    connTabSize: CONN_TAB_SIZE,
    services: [...st.services.values()].map(serviceSnapshot),
    totals: statsSnapshot(st.totals),
    totalRates: ratesSnapshot(st.totals),
    timeouts: getTimeouts(st.timeouts),
  };
}

function protocolName(proto: number): ServiceProtocol | 'IP' {
  if (proto === PROTO_NUM.TCP) return 'TCP';
  if (proto === PROTO_NUM.UDP) return 'UDP';
  if (proto === PROTO_NUM.SCTP) return 'SCTP';
  return 'IP';
}

function stateName(state: number, flags: number): ConnState {
  if ((flags & CONN_FLAG.TEMPLATE) !== 0) {
    return (flags & CONN_FLAG.ASSURED) !== 0 ? 'ASSURED' : 'NONE';
  }
  if (state === STATE_UDP) return 'UDP';
  return TCP_STATE_NAMES[state] ?? 'NONE';
}

export function connSnapshot(st: TableState, id: number, now: number): ConnSnapshot {
  const s = st.store;
  const flags = s.flags[id] ?? 0;
  const v6 = (flags & CONN_FLAG.V6) !== 0;
  const vmark = (flags & CONN_FLAG.VMARK) !== 0;
  const vaddr = s.vaddr[id] ?? 0;
  const dest = destOf(st, id);
  const pe = dest?.svc.pe;
  return {
    protocol: protocolName(s.proto[id] ?? 0),
    family: v6 ? 'inet6' : 'inet',
    clientAddress: st.addrs.text(s.caddr[id] ?? 0, v6),
    clientPort: s.cport[id] ?? 0,
    // A fwmark template shows its mark where the VIP would be (as the kernel's /proc does).
    virtualAddress: vmark ? numberToIpv4(vaddr) : st.addrs.text(vaddr, v6),
    virtualPort: s.vport[id] ?? 0,
    destAddress: dest?.address ?? '0.0.0.0',
    destPort: s.dport[id] ?? 0,
    state: stateName(s.state[id] ?? 0, flags),
    expiresMs: Math.max(0, st.wheel.expiresAt(id) - now),
    template: (flags & CONN_FLAG.TEMPLATE) !== 0,
    ...(pe === undefined ? {} : { peName: pe }),
  };
}
