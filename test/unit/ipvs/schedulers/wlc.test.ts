import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SchedDest } from '../../../../src/ipvs/scheduler.js';
import { checkAgainstReference, harness, shares } from './harness.js';
import { ohInt, w } from './kernel-ref.js';

/** ip_vs_wlc_schedule: first usable dest, then `loh * w(d) > doh * w(least)` over the rest. */
function referenceWlc(dests: readonly SchedDest[]): SchedDest | undefined {
  const start = dests.findIndex((d) => !d.overloaded && d.weight > 0);
  if (start < 0) return undefined;
  let least = dests[start]!;
  let loh = ohInt(least);
  for (const d of dests.slice(start + 1)) {
    if (d.overloaded) continue;
    const doh = ohInt(d);
    if (loh * w(d) > doh * w(least)) {
      least = d;
      loh = doh;
    }
  }
  return least;
}

describe('wlc', () => {
  test('picks follow overhead / weight, ties to the earliest in list order', () => {
    const h = harness('wlc');
    h.add('A', 3);
    h.add('B', 1);
    // list B, A; all idle: tie at 0 → B first.
    assert.deepEqual(h.picks(8), ['B', 'A', 'A', 'A', 'B', 'A', 'A', 'A']);
  });

  test('shares are proportional to weight', () => {
    const h = harness('wlc');
    h.add('A', 1);
    h.add('B', 2);
    h.add('C', 5);
    assert.deepEqual(shares(h.picks(800)), { A: 100, B: 200, C: 500 });
  });

  test('inactive connections count 1/256 of an active one', () => {
    const h = harness('wlc');
    h.add('A', 1);
    h.add('B', 2);
    h.setCounts('A', 1, 0); // 256 / 1
    h.setCounts('B', 2, 1); // 513 / 2 = 256.5
    assert.equal(h.connect(), 'A');
  });

  test('weight 0 never wins even when idle; overloaded dests are skipped', () => {
    const h = harness('wlc');
    h.add('A', 1);
    h.add('Q', 0);
    h.add('O', 5);
    h.setCounts('A', 50);
    h.setOverloaded('O', true);
    assert.deepEqual(h.picks(3), ['A', 'A', 'A']);
    h.setOverloaded('A', true);
    assert.equal(h.connect(), undefined);
  });

  test('huge weights and overheads compare exactly (products past 2^53)', () => {
    const h = harness('wlc');
    h.add('A', 2 ** 31 - 1);
    h.add('B', 2 ** 31 - 2);
    h.setCounts('A', 8_000_000, 1);
    h.setCounts('B', 7_999_996, 5);
    // (8e6*256+1)/(2^31-1) vs (7999996*256+5)/(2^31-2): differ only beyond double precision.
    const ohA = 8_000_000n * 256n + 1n;
    const ohB = 7_999_996n * 256n + 5n;
    const expectB = ohA * (2n ** 31n - 2n) > ohB * (2n ** 31n - 1n);
    assert.equal(h.connect(), expectB ? 'B' : 'A');
  });

  test('all dests removed: undefined', () => {
    const h = harness('wlc');
    h.add('A', 1);
    h.remove('A');
    assert.equal(h.connect(), undefined);
  });

  test('property: equals the kernel linear scan', () => {
    checkAgainstReference('wlc', referenceWlc);
  });
});
