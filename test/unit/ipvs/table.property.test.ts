// Property tests: random sequences of service/destination edits, connections, packets and
// clock advances keep the table's counters consistent with its connection entries, and a
// live persistence template is always honoured.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { ServiceKey } from '../../../src/ipvs/services.js';
import type { ConnSnapshot } from '../../../src/ipvs/snapshot.js';
import type { IpvsTable } from '../../../src/ipvs/table.js';
import { TCP_FLAG } from '../../../src/ipvs/tcp-state.js';
import { newTable, VIP } from '../../helpers/ipvs/table.js';

interface Svc {
  readonly key: ServiceKey;
  readonly protocol: 'TCP' | 'UDP';
  readonly port: number;
  readonly persistent: boolean;
  readonly subnet: number;
}

const SERVICES: readonly Svc[] = [
  {
    key: { kind: 'ip', protocol: 'TCP', family: 'inet', address: VIP, port: 80 },
    protocol: 'TCP',
    port: 80,
    persistent: false,
    subnet: 1,
  },
  {
    key: { kind: 'ip', protocol: 'TCP', family: 'inet', address: VIP, port: 443 },
    protocol: 'TCP',
    port: 443,
    persistent: true,
    subnet: 2,
  },
  {
    key: { kind: 'ip', protocol: 'UDP', family: 'inet', address: VIP, port: 53 },
    protocol: 'UDP',
    port: 53,
    persistent: true,
    subnet: 3,
  },
];

const FLAGS = [
  TCP_FLAG.SYN,
  TCP_FLAG.ACK,
  TCP_FLAG.FIN | TCP_FLAG.ACK,
  TCP_FLAG.RST,
  TCP_FLAG.SYN | TCP_FLAG.ACK,
  0,
];

const svcIdx = fc.integer({ min: 0, max: SERVICES.length - 1 });
const op = fc.oneof(
  fc.record({
    t: fc.constant('addDest' as const),
    s: svcIdx,
    d: fc.integer({ min: 1, max: 4 }),
    w: fc.integer({ min: 0, max: 3 }),
    u: fc.integer({ min: 0, max: 4 }),
    m: fc.boolean(),
  }),
  fc.record({
    t: fc.constant('editDest' as const),
    s: svcIdx,
    d: fc.integer({ min: 1, max: 4 }),
    w: fc.integer({ min: 0, max: 3 }),
    u: fc.integer({ min: 0, max: 4 }),
    m: fc.boolean(),
  }),
  fc.record({ t: fc.constant('delDest' as const), s: svcIdx, d: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ t: fc.constant('readdService' as const), s: svcIdx }),
  fc.record({
    t: fc.constant('connect' as const),
    s: svcIdx,
    c: fc.integer({ min: 1, max: 6 }),
    p: fc.integer({ min: 1, max: 3 }),
  }),
  fc.record({
    t: fc.constant('packet' as const),
    s: svcIdx,
    c: fc.integer({ min: 1, max: 6 }),
    p: fc.integer({ min: 1, max: 3 }),
    f: fc.integer({ min: 0, max: FLAGS.length - 1 }),
    out: fc.boolean(),
  }),
  fc.record({
    t: fc.constant('advance' as const),
    ms: fc.constantFrom(100, 1000, 10_000, 60_000, 130_000, 400_000),
  }),
);

type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

function addService(table: IpvsTable, s: Svc): void {
  table.addService({
    key: s.key,
    scheduler: s.protocol === 'UDP' ? 'rr' : 'lc',
    ...(s.persistent ? { persistence: { timeout: 120, netmask: 24 } } : {}),
  });
}

function destAddr(s: Svc, d: number): string {
  return `10.${s.subnet}.0.${d}`;
}

function serviceOf(c: ConnSnapshot): Svc | undefined {
  return SERVICES.find((s) => c.destAddress.startsWith(`10.${s.subnet}.`));
}

/**
 * The kernel sets OVERLOAD only when a connection is bound (ipvs.md §0): lowering u_threshold
 * below the current count leaves the flag clear until the next bind. These are the dests
 * whose thresholds were edited since their last bind.
 */
function checkInvariants(table: IpvsTable, editedSinceBind: ReadonlySet<string> = new Set()): void {
  const conns = table.connections();
  for (const svc of table.snapshot().services) {
    for (const d of svc.dests) {
      assert.ok(
        d.activeConns >= 0 && d.inactConns >= 0 && d.persistConns >= 0,
        'no negative counts',
      );
      const mine = conns.filter((c) => c.destAddress === d.address);
      const live = mine.filter((c) => !c.template).length;
      const tpl = mine.filter((c) => c.template).length;
      assert.equal(
        d.activeConns + d.inactConns,
        live,
        `active+inactive = live conns of ${d.address}`,
      );
      assert.equal(d.persistConns, tpl, `persistConns = live templates of ${d.address}`);
      const active = mine.filter((c) =>
        ['ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'SYNACK'].includes(c.state),
      ).length;
      assert.equal(d.activeConns, active, 'active = conns in active TCP states');
      if (
        d.uThreshold !== 0 &&
        d.activeConns + d.inactConns >= d.uThreshold &&
        !editedSinceBind.has(d.address)
      ) {
        assert.ok(d.overloaded, 'at or above u_threshold means overloaded');
      }
    }
  }
}

function run(ops: readonly Op[], expireNodestConn: boolean): void {
  const { table, clock } = newTable({ expireNodestConn });
  for (const s of SERVICES) addService(table, s);
  const present = new Set<string>();
  const editedSinceBind = new Set<string>();
  for (const o of ops) {
    switch (o.t) {
      case 'addDest':
      case 'editDest': {
        const s = SERVICES[o.s]!;
        const spec = {
          address: destAddr(s, o.d),
          port: s.port,
          weight: o.w,
          uThreshold: o.u,
          method: o.m ? ('masq' as const) : ('route' as const),
        };
        const id = `${o.s}/${o.d}`;
        if (o.t === 'addDest' && !present.has(id)) {
          table.addDest(s.key, spec);
          present.add(id);
        } else if (o.t === 'editDest' && present.has(id)) {
          table.editDest(s.key, spec);
          editedSinceBind.add(spec.address);
        }
        break;
      }
      case 'delDest': {
        const s = SERVICES[o.s]!;
        const id = `${o.s}/${o.d}`;
        if (present.delete(id))
          table.deleteDest(s.key, { address: destAddr(s, o.d), port: s.port });
        break;
      }
      case 'readdService': {
        const s = SERVICES[o.s]!;
        table.deleteService(s.key);
        for (const id of [...present]) if (id.startsWith(`${o.s}/`)) present.delete(id);
        addService(table, s);
        break;
      }
      case 'connect': {
        const s = SERVICES[o.s]!;
        const client = `172.16.${o.c % 3}.${o.c}`;
        const pkt = {
          protocol: s.protocol,
          family: 'inet' as const,
          clientAddress: client,
          clientPort: 1000 + o.p,
          virtualAddress: VIP,
          virtualPort: s.port,
          tcpFlags: TCP_FLAG.SYN,
          bytes: 60,
        };
        const net = `172.16.${o.c % 3}.0`;
        const tpl = s.persistent
          ? table
              .connections()
              .find(
                (c) =>
                  c.template &&
                  c.clientAddress === net &&
                  c.virtualPort === s.port &&
                  serviceOf(c) === s,
              )
          : undefined;
        const existing = table.lookup(pkt);
        const v = table.inbound(pkt);
        if (v.kind === 'forward' && v.created) editedSinceBind.delete(v.target.address);
        if (tpl !== undefined && existing < 0 && v.kind === 'forward' && v.created) {
          const still = table
            .snapshot()
            .services.flatMap((x) => x.dests)
            .some((d) => d.address === tpl.destAddress);
          if (still) assert.equal(v.target.address, tpl.destAddress, 'persistence honoured');
        }
        break;
      }
      case 'packet': {
        const s = SERVICES[o.s]!;
        const pkt = {
          protocol: s.protocol,
          family: 'inet' as const,
          clientAddress: `172.16.${o.c % 3}.${o.c}`,
          clientPort: 1000 + o.p,
          virtualAddress: VIP,
          virtualPort: s.port,
        };
        const id = table.lookup(pkt);
        if (id >= 0) table.packet(id, o.out ? 'out' : 'in', FLAGS[o.f]!, 40);
        break;
      }
      case 'advance':
        table.advance(clock.advance(o.ms));
        break;
    }
    checkInvariants(table, editedSinceBind);
  }
  // Everything drains eventually (deferred templates included).
  for (let i = 0; i < 20 && table.size > 0; i++) table.advance(clock.advance(1_000_000));
  assert.equal(table.size, 0);
  checkInvariants(table);
}

test('random operation sequences keep counters consistent', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 120 }), fc.boolean(), (ops, nodest) => {
      run(ops, nodest);
    }),
    { numRuns: 300 },
  );
});
