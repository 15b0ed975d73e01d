// A daemon status for the admin listener's tests: two VRRP instances, two virtual servers with
// real servers, checker results and proxy counters. `down` lists real servers (`address|port`)
// the checkers see down; `t` moves the rates, so charts have something to draw.

import type { DestSnapshot, ServiceSnapshot } from '../../src/ipvs/index.js';
import type { WebStatus } from '../../src/web/index.js';

export interface FakeStatusOptions {
  readonly down?: readonly string[];
  readonly t?: number;
}

const RX_REASONS = ['wrong-vrid', 'auth-failure', 'ttl'];

function dest(address: string, port: number, weight: number, n: number, t: number): DestSnapshot {
  const wave = 1 + Math.sin(t / 4 + n);
  return {
    address,
    family: address.includes(':') ? 'inet6' : 'inet',
    port,
    method: 'masq',
    weight,
    activeConns: 3 * n,
    inactConns: n,
    persistConns: 0,
    uThreshold: 0,
    lThreshold: 0,
    overloaded: false,
    stats: {
      conns: 1000 * n,
      inpkts: 5000 * n,
      outpkts: 4000 * n,
      inbytes: 2e6 * n,
      outbytes: 9e6 * n,
    },
    rates: {
      cps: Math.round(20 * n * wave),
      inpps: 100 * n,
      outpps: 90 * n,
      inbps: Math.round(50_000 * n * wave),
      outbps: Math.round(400_000 * n * wave),
    },
  };
}

function service(
  protocol: 'TCP' | 'UDP',
  address: string,
  port: number,
  dests: DestSnapshot[],
): ServiceSnapshot {
  const sum = (f: (d: DestSnapshot) => number) => dests.reduce((a, d) => a + f(d), 0);
  return {
    fwmark: 0,
    family: address.includes(':') ? 'inet6' : 'inet',
    protocol,
    address,
    port,
    scheduler: 'wrr',
    flags: {
      persistent: false,
      hashed: true,
      onePacket: false,
      sched1: false,
      sched2: false,
      sched3: false,
    },
    timeout: 0,
    netmask: '255.255.255.255',
    dests,
    stats: {
      conns: sum((d) => d.stats.conns),
      inpkts: sum((d) => d.stats.inpkts),
      outpkts: sum((d) => d.stats.outpkts),
      inbytes: sum((d) => d.stats.inbytes),
      outbytes: sum((d) => d.stats.outbytes),
    },
    rates: {
      cps: sum((d) => d.rates.cps),
      inpps: sum((d) => d.rates.inpps),
      outpps: sum((d) => d.rates.outpps),
      inbps: sum((d) => d.rates.inbps),
      outbps: sum((d) => d.rates.outbps),
    },
  };
}

export function fakeStatus(options: FakeStatusOptions = {}): WebStatus {
  const t = options.t ?? 0;
  const down = new Set(options.down ?? []);
  const web = service('TCP', '10.0.0.1', 80, [
    dest('10.0.1.1', 80, 3, 1, t),
    dest('10.0.1.2', 80, 1, 2, t),
  ]);
  const dns = service('UDP', '2001:db8::53', 53, [dest('2001:db8::1:1', 53, 1, 1, t)]);
  const rs = (d: DestSnapshot) => ({
    rs: `${d.address}|${d.port}`,
    alive: !down.has(`${d.address}|${d.port}`),
    weight: d.weight,
  });
  return {
    pid: 4242,
    dataplane: 'proxy',
    services: [web, dns].map((s) => ({
      dests: s.dests.map((d) => ({
        address: d.address,
        port: d.port,
        connectFailures: { refused: 2, timeout: 1, error: 0 },
      })),
    })),
    table: {
      services: [web, dns],
      totals: web.stats,
      totalRates: web.rates,
    },
    proxy: {
      counters: {
        accepted: 3000,
        noDestination: 4,
        dropped: 0,
        connectRefused: 2,
        connectTimeout: 1,
        connectError: 0,
        released: 10,
        resets: 5,
        udpFlows: 7,
        udpDropped: 0,
        udpSendErrors: 0,
        listenErrors: 1,
      },
      relays: 12,
      udpFlows: 3,
      listeners: [
        { key: 'tcp:10.0.0.1:80', listening: true },
        { key: 'udp:[2001:db8::53]:53', listening: false },
      ],
    },
    checks: [
      { vs: 'tcp:10.0.0.1:80', quorumUp: true, rs: web.dests.map(rs) },
      { vs: 'udp:[2001:db8::53]:53', quorumUp: true, rs: dns.dests.map(rs) },
    ],
    vrrp: {
      instances: [
        {
          name: 'VI_WEB',
          state: 'MASTER',
          vrid: 51,
          priority: 150,
          effectivePriority: 150,
          vips: ['10.0.0.1/32'],
          stats: {
            advertsReceived: 10,
            advertsSent: 900,
            becameMaster: 2,
            releasedMaster: 1,
            priorityZeroReceived: 0,
            priorityZeroSent: 1,
            sendErrors: 0,
            rejected: Object.fromEntries(RX_REASONS.map((r, i) => [r, i])),
          },
        },
        {
          name: 'VI_DNS',
          state: 'BACKUP',
          vrid: 52,
          priority: 100,
          effectivePriority: 90,
          masterAddress: '192.168.1.2',
          vips: [],
          stats: {
            advertsReceived: 800,
            advertsSent: 0,
            becameMaster: 0,
            releasedMaster: 0,
            priorityZeroReceived: 0,
            priorityZeroSent: 0,
            sendErrors: 0,
            rejected: Object.fromEntries(RX_REASONS.map((r) => [r, 0])),
          },
        },
      ],
      unknownVrid: 3,
      splitBrain: { active: [], probesSent: 40, episodes: 1 },
    },
  };
}
