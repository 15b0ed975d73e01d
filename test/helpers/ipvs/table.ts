// Builders for table tests: a table on a manual clock with test schedulers, and short-hand
// service keys, destinations and packets.

import { IpvsTable } from '../../../src/ipvs/table.js';
import type { TableOptions } from '../../../src/ipvs/model.js';
import type { InboundPacket } from '../../../src/ipvs/inbound.js';
import type { DestSpec, ServiceKey } from '../../../src/ipvs/services.js';
import { TCP_FLAG } from '../../../src/ipvs/tcp-state.js';
import { manualClock, type ManualClock } from './clock.js';
import { testSchedulers } from './schedulers.js';

export const VIP = '192.168.0.10';

export function tcpKey(port = 80, address = VIP): ServiceKey {
  return { kind: 'ip', protocol: 'TCP', family: 'inet', address, port };
}

export function udpKey(port = 53, address = VIP): ServiceKey {
  return { kind: 'ip', protocol: 'UDP', family: 'inet', address, port };
}

export function dest(address: string, extra: Partial<DestSpec> = {}): DestSpec {
  return { address, port: 8080, weight: 1, method: 'masq', ...extra };
}

export function newTable(options: Partial<Omit<TableOptions, 'now'>> = {}): {
  table: IpvsTable;
  clock: ManualClock;
} {
  const clock = manualClock();
  const table = new IpvsTable({ now: clock.now, schedulers: testSchedulers, ...options });
  return { table, clock };
}

export function syn(client: string, cport: number, vport = 80, vip = VIP): InboundPacket {
  return {
    protocol: 'TCP',
    family: 'inet',
    clientAddress: client,
    clientPort: cport,
    virtualAddress: vip,
    virtualPort: vport,
    tcpFlags: TCP_FLAG.SYN,
    bytes: 60,
  };
}

export function seg(p: InboundPacket, tcpFlags: number, bytes = 52): InboundPacket {
  return { ...p, tcpFlags, bytes };
}

export function udp(client: string, cport: number, vport = 53, vip = VIP): InboundPacket {
  return {
    protocol: 'UDP',
    family: 'inet',
    clientAddress: client,
    clientPort: cport,
    virtualAddress: vip,
    virtualPort: vport,
    bytes: 100,
  };
}
