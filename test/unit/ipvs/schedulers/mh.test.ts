import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SchedDest } from '../../../../src/ipvs/scheduler.js';
import { buildMaglevTable, MH_TAB_SIZE } from '../../../../src/ipvs/schedulers/mh.js';
import { harness, PACKET } from './harness.js';

const from = (ip: string, port = 40000) => ({ ...PACKET, clientAddress: ip, clientPort: port });
const clients = Array.from(
  { length: 20000 },
  (_, i) => `100.${i >> 16}.${(i >> 8) & 255}.${i & 255}`,
);

function slotShares(table: readonly (SchedDest | undefined)[]): Map<SchedDest, number> {
  const out = new Map<SchedDest, number>();
  for (const d of table) if (d !== undefined) out.set(d, (out.get(d) ?? 0) + 1);
  return out;
}

describe('mh', () => {
  test('the table has M = 4093 slots, all filled, shared in proportion to weight', () => {
    const h = harness('mh');
    h.add('A', 1);
    h.add('B', 2);
    h.add('C', 3);
    const table = buildMaglevTable(h.dests);
    assert.ok(table);
    assert.equal(table.length, MH_TAB_SIZE);
    assert.ok(table.every((d) => d !== undefined));
    const s = slotShares(table);
    for (const [name, weight] of [
      ['A', 1],
      ['B', 2],
      ['C', 3],
    ] as const) {
      const share = (s.get(h.get(name)) ?? 0) / MH_TAB_SIZE;
      assert.ok(Math.abs(share - weight / 6) < 0.01, `${name}: ${share}`);
    }
  });

  test('clients spread roughly in proportion to weight', () => {
    const h = harness('mh');
    h.add('A', 1);
    h.add('B', 3);
    const counts: Record<string, number> = {};
    for (const ip of clients) {
      const n = h.connect(from(ip)) ?? '-';
      counts[n] = (counts[n] ?? 0) + 1;
    }
    assert.ok(Math.abs((counts.B ?? 0) / clients.length - 0.75) < 0.03, JSON.stringify(counts));
  });

  test('minimal disruption: removing one of ten dests remaps few other clients', () => {
    const h = harness('mh');
    for (let i = 0; i < 10; i++) h.add(`d${i}`, 1);
    const before = clients.map((ip) => h.nameOf(h.scheduler.select(from(ip))));
    h.remove('d3');
    const after = clients.map((ip) => h.nameOf(h.scheduler.select(from(ip))));
    let moved = 0;
    let stayed = 0;
    before.forEach((b, i) => {
      if (b === 'd3') return;
      if (after[i] === b) stayed++;
      else moved++;
    });
    assert.ok(moved / (moved + stayed) < 0.05, `moved ${moved} of ${moved + stayed}`);
    assert.ok(after.every((a) => a !== 'd3' && a !== undefined));
  });

  test('the port counts only with mh-port', () => {
    const plain = harness('mh');
    const ported = harness('mh', { sched2: true });
    for (const h of [plain, ported]) for (let i = 0; i < 8; i++) h.add(`d${i}`, 1);
    const plainPicks = new Set(
      [1, 2, 3, 4, 5, 6, 7, 8].map((p) => plain.connect(from('192.0.2.5', p))),
    );
    const portPicks = new Set(
      [1, 2, 3, 4, 5, 6, 7, 8].map((p) => ported.connect(from('192.0.2.5', p))),
    );
    assert.equal(plainPicks.size, 1);
    assert.ok(portPicks.size > 1);
  });

  test('a quiesced dest keeps its slots: undefined without mh-fallback, rehash with it', () => {
    const plain = harness('mh');
    const fb = harness('mh', { sched1: true });
    for (const h of [plain, fb]) for (let i = 0; i < 4; i++) h.add(`d${i}`, 1);
    const owners = clients.slice(0, 2000).map((ip) => plain.connect(from(ip)));
    plain.setWeight('d1', 0);
    fb.setWeight('d1', 0);
    clients.slice(0, 2000).forEach((ip, i) => {
      const p = plain.connect(from(ip));
      const f = fb.connect(from(ip));
      if (owners[i] === 'd1') {
        assert.equal(p, undefined);
        assert.ok(f !== undefined && f !== 'd1');
      } else {
        assert.equal(p, owners[i]);
        assert.equal(f, owners[i]);
      }
    });
  });

  test('overloaded, all quiesced and empty lists', () => {
    const h = harness('mh', { sched1: true });
    assert.equal(h.connect(), undefined);
    h.add('A', 1);
    assert.equal(h.connect(), 'A');
    h.setOverloaded('A', true);
    assert.equal(h.connect(), undefined);
    h.setOverloaded('A', false);
    h.setWeight('A', 0);
    assert.equal(h.connect(), undefined);
    h.remove('A');
    assert.equal(h.connect(), undefined);
  });

  test('more dests than slots: the kernel refuses, the old table stays', () => {
    const dests = Array.from({ length: MH_TAB_SIZE + 1 }, (_, i) => ({
      id: i,
      address: `10.1.${i >> 8}.${i & 255}`,
      family: 'inet' as const,
      port: 80,
      weight: 1,
      lastWeight: 1,
      activeConns: 0,
      inactConns: 0,
      persistConns: 0,
      overloaded: false,
    }));
    assert.equal(buildMaglevTable(dests), undefined);
  });
});
