// Builders for TableSnapshot test data: every field gets a neutral default (zero counters,
// weight 1, DR, wlc, no flags) so a fixture states only what its golden output depends on.

import type {
  ConnSnapshot,
  DestSnapshot,
  RateSnapshot,
  ServiceFlags,
  ServiceSnapshot,
  StatsSnapshot,
  TableSnapshot,
} from '../../src/ipvs/snapshot.js';

export const ZERO_STATS: StatsSnapshot = {
  conns: 0,
  inpkts: 0,
  outpkts: 0,
  inbytes: 0,
  outbytes: 0,
};
export const ZERO_RATES: RateSnapshot = { cps: 0, inpps: 0, outpps: 0, inbps: 0, outbps: 0 };
const NO_FLAGS: ServiceFlags = {
  persistent: false,
  hashed: true,
  onePacket: false,
  sched1: false,
  sched2: false,
  sched3: false,
};

type Mutable<T> = { -readonly [K in keyof T]?: T[K] };

export function dest(
  address: string,
  port: number,
  fields: Mutable<DestSnapshot> = {},
): DestSnapshot {
  return {
    address,
    family: address.includes(':') ? 'inet6' : 'inet',
    port,
    method: 'route',
    weight: 1,
    activeConns: 0,
    inactConns: 0,
    persistConns: 0,
    uThreshold: 0,
    lThreshold: 0,
    overloaded: false,
    stats: ZERO_STATS,
    rates: ZERO_RATES,
    ...fields,
  };
}

export interface ServiceFields extends Omit<Mutable<ServiceSnapshot>, 'flags'> {
  readonly flags?: Partial<ServiceFlags>;
}

/** An address service: `svc('TCP', '192.168.0.10', 80, {...})`. */
export function svc(
  protocol: 'TCP' | 'UDP' | 'SCTP',
  address: string,
  port: number,
  fields: ServiceFields = {},
): ServiceSnapshot {
  const family = address.includes(':') ? 'inet6' : 'inet';
  const { flags, ...rest } = fields;
  return {
    fwmark: 0,
    family,
    protocol,
    address,
    port,
    scheduler: 'wlc',
    timeout: 0,
    netmask: family === 'inet6' ? '128' : '255.255.255.255',
    dests: [],
    stats: ZERO_STATS,
    rates: ZERO_RATES,
    ...rest,
    flags: { ...NO_FLAGS, ...flags },
  };
}

/** A fwmark service. */
export function fwm(
  fwmark: number,
  family: 'inet' | 'inet6',
  fields: ServiceFields = {},
): ServiceSnapshot {
  const { flags, ...rest } = fields;
  return {
    fwmark,
    family,
    port: 0,
    scheduler: 'wlc',
    timeout: 0,
    netmask: family === 'inet6' ? '128' : '255.255.255.255',
    dests: [],
    stats: ZERO_STATS,
    rates: ZERO_RATES,
    ...rest,
    flags: { ...NO_FLAGS, ...flags },
  };
}

export function table(
  services: readonly ServiceSnapshot[],
  fields: Mutable<TableSnapshot> = {},
): TableSnapshot {
  return {
    version: '1.2.1',
    connTabSize: 4096,
    services,
    totals: ZERO_STATS,
    totalRates: ZERO_RATES,
    timeouts: { tcp: 900, tcpfin: 120, udp: 300 },
    ...fields,
  };
}

export function conn(
  fields: Mutable<ConnSnapshot> &
    Pick<ConnSnapshot, 'clientAddress' | 'destAddress' | 'virtualAddress'>,
): ConnSnapshot {
  return {
    protocol: 'TCP',
    family: fields.clientAddress.includes(':') ? 'inet6' : 'inet',
    clientPort: 0,
    virtualPort: 0,
    destPort: 0,
    state: 'ESTABLISHED',
    expiresMs: 0,
    template: false,
    ...fields,
  };
}
