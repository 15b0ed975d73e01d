import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  estimatorRates,
  estimatorTick,
  newEstimator,
  type RawCounters,
} from '../../../src/ipvs/estimator.js';
import { dest, newTable, seg, syn, tcpKey } from '../../helpers/ipvs/table.js';

const zero = (): RawCounters => ({ conns: 0, inpkts: 0, outpkts: 0, inbytes: 0, outbytes: 0 });

test('EWMA after known increments (hand-computed from §5)', () => {
  const c = zero();
  const e = newEstimator(c);
  // 10 conns, 100 packets, 6000 bytes in the first 2 s:
  // cps est = (10<<9)>>2 = 1280 → (1280+511)>>10 = 1; inpps est = 51200>>2 = 12800 → (12800+511)>>10 = 12;
  // inbps est = (6000<<4)>>2 = 24000 → (24000+15)>>5 = 750.
  c.conns = 10;
  c.inpkts = 100;
  c.inbytes = 6000;
  estimatorTick(e, c);
  assert.deepEqual(estimatorRates(e), { cps: 1, inpps: 12, outpps: 0, inbps: 750, outbps: 0 });
  // Same load again: est += (r - est) >> 2 → cps 1280 + (5120-1280)/4 = 2240 → 2.
  c.conns = 20;
  c.inpkts = 200;
  c.inbytes = 12000;
  estimatorTick(e, c);
  assert.equal(e.cps, 2240);
  assert.equal(e.inbps, 24000 + (96000 - 24000) / 4);
  assert.deepEqual(estimatorRates(e), { cps: 2, inpps: 22, outpps: 0, inbps: 1312, outbps: 0 });
  // Idle: the arithmetic shift floors negative steps.
  estimatorTick(e, c);
  assert.equal(e.cps, 2240 + Math.floor(-2240 / 4));
});

test('steady load converges to the true rate', () => {
  const c = zero();
  const e = newEstimator(c);
  for (let i = 0; i < 100; i++) {
    c.conns += 200; // 100/s
    c.outbytes += 2_000_000; // 1 MB/s
    estimatorTick(e, c);
  }
  const r = estimatorRates(e);
  assert.equal(r.cps, 100);
  assert.equal(r.outbps, 1_000_000);
});

test('a negative step of -1 decays to zero (arithmetic shift)', () => {
  const c = zero();
  const e = newEstimator(c);
  e.cps = 3;
  for (let i = 0; i < 4; i++) estimatorTick(e, c);
  assert.equal(e.cps, 0);
});

test('table: rates every 2 s through advance(); -Z zeroes counters and rates', () => {
  const { table, clock } = newTable();
  table.addService({ key: tcpKey(), scheduler: 'rr' });
  table.addDest(tcpKey(), dest('10.0.0.1'));
  for (let i = 0; i < 20; i++) {
    const p = syn('1.1.1.1', 1000 + i);
    table.inbound(p);
    table.inbound(seg(p, 0x10, 1000));
  }
  table.advance(clock.advance(1999));
  assert.equal(table.snapshot().totalRates.cps, 0);
  table.advance(clock.advance(1));
  // Δconns 20 → est 20*512/4 = 2560 → (2560+511)>>10 = 2; inpkts 40 → 5120 → 5.
  const s = table.service(tcpKey());
  assert.equal(s.rates.cps, 2);
  assert.equal(s.rates.inpps, 5);
  assert.deepEqual(table.snapshot().totalRates, s.rates);
  assert.deepEqual(s.dests[0]!.rates, s.rates);
  assert.equal(s.stats.conns, 20);
  assert.equal(s.stats.inbytes, 20 * 60 + 20 * 1000);

  table.zero(tcpKey());
  const z = table.service(tcpKey());
  assert.deepEqual(z.stats, { conns: 0, inpkts: 0, outpkts: 0, inbytes: 0, outbytes: 0 });
  assert.deepEqual(z.rates, { cps: 0, inpps: 0, outpps: 0, inbps: 0, outbps: 0 });
  assert.equal(table.snapshot().totals.conns, 20, 'zeroing one service leaves the totals');
  // After zeroing, the estimator restarts from the current counters: no spike.
  table.advance(clock.advance(2000));
  assert.equal(table.service(tcpKey()).rates.cps, 0);
  table.inbound(syn('1.1.1.9', 1));
  assert.equal(table.service(tcpKey()).stats.conns, 1);
  table.zero();
  assert.equal(table.snapshot().totals.conns, 0);
});

test('a long gap decays the rates as many ticks would', () => {
  const { table, clock } = newTable();
  table.addService({ key: tcpKey(), scheduler: 'rr' });
  table.addDest(tcpKey(), dest('10.0.0.1'));
  for (let i = 0; i < 100; i++) table.inbound(syn('1.1.1.1', 1000 + i));
  table.advance(clock.advance(2000));
  assert.ok(table.snapshot().totalRates.cps > 0);
  table.advance(clock.advance(3_600_000));
  assert.equal(table.snapshot().totalRates.cps, 0);
});
